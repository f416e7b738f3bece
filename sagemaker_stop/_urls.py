"""URLs from configuration (endpoint URLs, credential endpoints), checked before
anything is sent, so a hostile or mistyped value fails as a typed error naming the
setting instead of ``httpx.InvalidURL`` or ``ValueError: Port out of range`` mid-call.

The rules are botocore's ``is_valid_endpoint_url`` / ``is_valid_ipv6_endpoint_url``
(``botocore/utils.py``: no tab, CR or LF anywhere; a hostname of DNS labels of 1-63
letters, digits and hyphens, 255 characters at most, or an IPv6 literal), plus what
httpx and the socket layer refuse later: a scheme other than http(s), a port outside
1-65535, any other control, space or non-ASCII character.  One difference: an
underscore is accepted in a label (httpx sends it; Docker Compose service names have
them), where botocore refuses it.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Optional
from urllib.parse import urlsplit

_LABELS = re.compile(r"^((?!-)[A-Za-z\d_-]{1,63}(?<!-)\.)*((?!-)[A-Za-z\d_-]{1,63}(?<!-))$")
_UNSAFE = re.compile(r"[^\x21-\x7e]")


def url_problem(url: str) -> Optional[str]:
    """Why ``url`` is no http(s) URL to send a request to, in words that never quote
    it (it may carry a token); None when it is one."""
    if not isinstance(url, str) or not url:
        return "it is empty"
    if _UNSAFE.search(url):
        return "it contains white space, a control or a non-ASCII character"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError as exc:  # a bad port, an unbalanced IPv6 bracket
        if "port" in str(exc).lower():
            return "its port is not a number from 1 to 65535"
        return "it is not a valid URL"
    if parts.scheme.lower() not in ("http", "https"):
        return "its scheme is not http or https"
    if not host:
        return "it has no host"
    if port == 0:
        return "its port is not a number from 1 to 65535"
    if "[" in parts.netloc:
        try:
            ipaddress.IPv6Address(host.split("%")[0])
        except ValueError:
            return "its host is not a valid IPv6 address"
        return None
    if len(host) > 255 or not _LABELS.match(host.rstrip(".")):
        return "its host is not a valid host name"
    return None
