"""What a feed fetch can fail with, and which addresses a feed may not be fetched from.

Apart from feed_client.py so the network layer (transport.py) can use them without a circle.
"""

from __future__ import annotations

import ipaddress

ALLOW_PRIVATE_SETTING = "REVIEWWATCH_FEEDS_ALLOW_PRIVATE"


class FetchError(Exception):
    """A source could not be fetched; the message says why, in words for an admin."""


class AddressRefused(FetchError):
    """The source is (or redirects to) a loopback, private or otherwise non-public address."""


_UNIQUE_LOCAL = ipaddress.IPv6Network("fc00::/7")


def address_class(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """What kind of non-public address this is ("loopback", "private", ...), or None when
    it is on the public internet."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if address.is_loopback:
        return "loopback"
    if address.is_unspecified:
        return "unspecified"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if isinstance(address, ipaddress.IPv6Address) and address in _UNIQUE_LOCAL:
        return "unique-local"
    if address.is_private:
        return "private"
    if not address.is_global:
        return "reserved (not publicly routable)"
    return None
