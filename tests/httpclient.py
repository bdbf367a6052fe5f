"""Real HTTP requests to the live server, each client with its own cookies."""

from http.cookiejar import CookieJar
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, build_opener

from tests.conftest import csrf_from
from tests.factories import PASSWORD, code_for


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class HttpClient:
    """A person's own cookies and real HTTP requests; redirects are returned, not followed."""

    def __init__(self, base):
        self.base = base
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()), _NoRedirect)

    def request(self, path, data=None):
        body = urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status, response.read().decode()
        except HTTPError as error:
            return error.code, error.read().decode()

    def sign_in(self, email):
        _, html = self.request("/sign-in")
        status, _ = self.request("/sign-in", {"email": email, "password": PASSWORD,
                                              "csrf_token": csrf_from(html)})
        assert status == 302
        status, html = self.request("/sign-in/code")
        if status == 200:  # a person with an authenticator app: the second step
            status, _ = self.request("/sign-in/code", {"code": code_for(email),
                                                       "csrf_token": csrf_from(html)})
            assert status == 302
