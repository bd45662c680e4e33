"""Signing in to the console with an engineer's own identity (the workspace's, via the service).

The session token lives in the browser session's ``st.session_state`` only; every rerun checks
it with the service, so an expired or signed-out session shows the sign-in form again.
"""

from __future__ import annotations

import streamlit as st

from bot.errors import AuthError
from bot.service.identity import Engineer, EngineerAuth
from ui.console.markdown import escape

TOKEN = "engineer_token"


def signed_in(auth: EngineerAuth) -> Engineer | None:
    """The signed-in engineer of this browser session, or None."""
    token = st.session_state.get(TOKEN)
    if not token:
        return None
    try:
        return auth.authenticate(token)
    except AuthError:
        st.session_state.pop(TOKEN, None)
        return None


def sign_in_form(auth: EngineerAuth) -> None:
    st.title("Sign in")
    with st.form("sign_in"):
        email = st.text_input("E-mail", key="sign_in_email")
        password = st.text_input("Password", type="password", key="sign_in_password")
        if st.form_submit_button("Sign in"):
            try:
                token, _ = auth.sign_in(email, password)
            except AuthError as exc:
                st.error(escape(str(exc)))
                return
            st.session_state[TOKEN] = token
            st.rerun()


def sign_out(auth: EngineerAuth) -> None:
    token = st.session_state.pop(TOKEN, None)
    if token:
        auth.sign_out(token)


def current(auth: EngineerAuth) -> Engineer:
    """The signed-in engineer of a page (app.py lets no page run without one)."""
    engineer = signed_in(auth)
    if engineer is None:
        st.stop()
    assert engineer is not None
    return engineer
