"""Signing in: access and refresh tokens, and who am I."""
from datetime import timedelta

from flask import current_app
from flask.views import MethodView

from api.accounts.schemas import (
    MeSchema, PasswordChangeSchema, RefreshRequestSchema, TokenPairSchema, TokenRequestSchema,
)
from api.auth import current_user, issue_access_token, login_required
from api.clock import system_clock
from api.db import session
from api.limiter import client_address, throttle
from api.parsing import Blueprint
from inspections import accounts

blp = Blueprint("accounts", __name__, description="Sign in and find out who you are.")


# Tokens live in real time whatever the request clock says: their expiry is checked against it.
def _token_pair(user, refresh_token: str) -> dict:
    access_token, expires_in = issue_access_token(user, system_clock())
    return {"access_token": access_token, "refresh_token": refresh_token, "token_type": "Bearer", "expires_in": expires_in}


def _refresh_ttl() -> timedelta:
    return timedelta(days=current_app.config["REFRESH_TOKEN_DAYS"])


@blp.route("/auth/token")
class Token(MethodView):
    @blp.doc(security=[])
    @blp.arguments(TokenRequestSchema)
    @blp.response(200, TokenPairSchema)
    @blp.alt_response(401, description="Wrong username or password (the same answer for an unknown user).")
    @blp.alt_response(429, description="Too many failed sign-ins for this username from this address, from this "
                                       "address, or for this username from many addresses; `Retry-After` says when "
                                       "to try again.")
    @blp.alt_response(503, description="The store of the sign-in counters (or the database) is not reachable; "
                                       "`Retry-After` says when to try again.")
    def post(self, body):
        """Sign in with a username and password.

        Returns a short-lived bearer access token and a refresh token. A wrong password and an unknown
        username get the same 401. Failed sign-ins are limited per username from one address, per address, and
        per username from all addresses together; past the last limit, only addresses where the user signed in
        within 30 days may go on, so strangers' failures never lock an owner out where they usually sign in.
        """
        user = accounts.sign_in(session(), throttle(), body["username"], body["password"], client_address())
        refresh = accounts.issue_refresh_token(session(), user, now=system_clock(), ttl=_refresh_ttl())
        return _token_pair(user, refresh)


@blp.route("/auth/refresh")
class Refresh(MethodView):
    @blp.doc(security=[])
    @blp.arguments(RefreshRequestSchema)
    @blp.response(200, TokenPairSchema)
    @blp.alt_response(401, description="The refresh token is unknown, expired, revoked or re-used.")
    def post(self, body):
        """Trade a refresh token for a new pair.

        The refresh token rotates: use the new one next time. Sending the same one again within a minute
        (a retry after a lost answer) works; re-using it later signs that device out everywhere.
        """
        grace = timedelta(seconds=current_app.config["REFRESH_REUSE_GRACE_SECONDS"])
        user, refresh = accounts.rotate_refresh_token(
            session(), body["refresh_token"], now=system_clock(), ttl=_refresh_ttl(), reuse_grace=grace
        )
        return _token_pair(user, refresh)


@blp.route("/me")
class Me(MethodView):
    @login_required()
    @blp.response(200, MeSchema)
    def get(self):
        """The signed-in user, with role and the enterprise or area they are bound to."""
        return current_user()


@blp.route("/me/password")
class MyPassword(MethodView):
    @login_required()
    @blp.arguments(PasswordChangeSchema)
    @blp.response(200, TokenPairSchema)
    @blp.alt_response(422, description="The current password is not right, or the new one is refused (the message "
                                       "says why: too short, common, or built from the username or name).")
    @blp.alt_response(429, description="Too many wrong current passwords for this user from this address (the "
                                       "sign-in limits); `Retry-After` says when to try again.")
    def post(self, body):
        """Change your own password, giving the current one.

        Every access token and refresh token issued before stops working at once, on every device; the answer is
        a new token pair for this one, so it stays signed in. Wrong current passwords count against the sign-in
        limits, like wrong passwords at sign-in.
        """
        user = accounts.change_own_password(
            session(), throttle(), current_user(), body["current_password"], body["new_password"],
            client_address(), now=system_clock(),
        )
        refresh = accounts.issue_refresh_token(session(), user, now=system_clock(), ttl=_refresh_ttl())
        return _token_pair(user, refresh)
