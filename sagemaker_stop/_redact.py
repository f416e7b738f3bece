"""Secrets out of text that others wrote: service error messages, a credential
process's stderr, URLs from the environment.

AWS's signature errors echo what the service computed, and that holds secrets.  An
``InvalidSignatureException`` / ``SignatureDoesNotMatch`` message carries the canonical
request, whose header lines include ``x-amz-security-token:<the session token>``
(for example the AWS JSON answer to an ECS ListClusters call quoted in full in the AWS
forums and in many SigV4 debugging write-ups: ``"The Canonical String for this request
should have been\\n'POST\\n/\\n\\nhost:ecs.us-east-1.amazonaws.com:443\\n...
x-amz-security-token:AQoDYXdzEBwa...\\n..."``); ``IncompleteSignature`` messages echo
the ``Authorization`` header, ``Signature=<hex>`` included ("Authorization header
requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=...");
presigned URLs carry ``X-Amz-Security-Token=`` and ``X-Amz-Signature=``.

:func:`redact` replaces, wherever they appear: those values; any value a caller knows
to be secret (the credentials just used); values labelled as secrets
(``"SecretAccessKey": "..."``, ``aws_session_token = ...``, JSON or INI); and unlabelled
runs that can only be key material — base64 of 100 characters or more (session tokens
are several hundred) and 40-character mixed-case base64 words (the shape of a secret
access key).  The access key id stays (``Credential=AKID/20240101/...``): users need it
to tell which credentials were used, and it is not a secret.  Hex digests (the
canonical request's hash, the string to sign's scope) stay too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Optional

MASK = "<redacted>"

#: (pattern, flags); compiled on first use (re's cache), not at import: a call that
#: goes well redacts nothing.
_PATTERNS = (
    # x-amz-security-token:VALUE (a canonical header line) / X-Amz-Security-Token=VALUE
    # (a query string, an echoed header); up to the end of the line, a quote, a comma,
    # an ampersand or white space.
    (r"((?:x-amz-security-token|x-amz-signature)\s*[:=]\s*)[^\s'\",&]+", re.I),
    (r"(\bSignature\s*=\s*)[^\s'\",&]+", re.I),
    # Labelled secrets, JSON ("SecretAccessKey": "v") or INI / shell (secret_access_key = v).
    (
        r"((?:secret_?access_?key|session_?token|\btoken)"
        r"[\"']?\s*[:=]\s*[\"']?)[^\s'\",&}]+",
        re.I,
    ),
    # A presigned URL's or a header's Authorization-style password: user:password@host.
    (r"(//[^/\s:@]+:)[^/\s@]+(?=@)", 0),
)
_LONG_BASE64 = r"[A-Za-z0-9+/]{100,}={0,2}"
_KEY_LIKE = r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/=])"


def _key_like(match: re.Match[str]) -> str:
    word = match.group(0)
    mixed = any(c.islower() for c in word) and any(c.isupper() for c in word)
    return MASK if mixed else word


def redact(text: str, secrets: Iterable[Optional[str]] = ()) -> str:
    """``text`` with every secret it may hold replaced by ``<redacted>``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, MASK)
    for pattern, flags in _PATTERNS:
        text = re.sub(pattern, lambda m: m.group(1) + MASK, text, flags=flags)
    text = re.sub(_LONG_BASE64, MASK, text)
    return re.sub(_KEY_LIKE, _key_like, text)


def redact_url(url: str) -> str:
    """A URL fit to quote: scheme, host, port and path, without a password, a query
    or a fragment (either may carry a token)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:  # an unbalanced IPv6 bracket
        return "<an unparseable URL>"
    try:
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        port = ":<a bad port>"
    if ":" in host:
        host = f"[{host}]"
    user = f"{parts.username}@" if parts.username else ""
    tail = "?..." if parts.query or parts.fragment else ""
    return redact(f"{parts.scheme}://{user}{host}{port}{parts.path}{tail}")
