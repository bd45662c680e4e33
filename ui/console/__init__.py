"""The Streamlit engineer console: thin pages over the assistant's services.

``app.py`` is the entry (``make console``); ``runtime.py`` builds the runtime once per process;
``services.py`` and ``status.py`` shape data for the pages and import no Streamlit, so they are
tested as plain Python; ``pages/`` holds one thin module per page.
"""
