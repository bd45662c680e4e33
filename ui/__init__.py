"""Thin clients: the embeddable chat widget (static files) and the Streamlit console."""
