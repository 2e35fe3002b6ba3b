"""Zou's API with token lifetimes the test chooses (test harness only).

Zou hard-codes 7 days for access tokens and 15 for refresh tokens. The tests need tokens
that expire within seconds, to see the bridge refresh before expiry and log in again when
the refresh token is refused. flask-jwt-extended reads the lifetimes from the app's
config each time it mints a token, so setting them after the app is built is enough."""
import datetime
import os

from zou.app import app

for variable, setting in (("ZOU_TEST_ACCESS_TOKEN_SECONDS", "JWT_ACCESS_TOKEN_EXPIRES"),
                          ("ZOU_TEST_REFRESH_TOKEN_SECONDS", "JWT_REFRESH_TOKEN_EXPIRES")):
    if os.environ.get(variable):
        app.config[setting] = datetime.timedelta(seconds=float(os.environ[variable]))
