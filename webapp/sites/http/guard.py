"""The URL guard: what the server may fetch (DESIGN security rules).

Every hop (the first URL and each redirect) is checked: the scheme is http or https; the
host is one of `allowed_hosts` when given (a host or any of its subdomains); and every
address the host resolves to is public — private, loopback, link-local, multicast,
reserved and unspecified addresses are refused unless `ALLOW_PRIVATE_HOSTS` (host names
or CIDR ranges, comma-separated) allows them.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from webapp.sites.http.errors import ConnectionFailed, UrlRejected

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class PrivatePolicy:
    """Which private/loopback hosts or ranges may be fetched anyway."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    def allows(self, host: str, address: IPAddress) -> bool:
        """Whether a private `address` of `host` is allowed."""
        if host in self.hosts:
            return True
        return any(address.version == net.version and address in net for net in self.networks)


@lru_cache(maxsize=64)
def _parse_policy(items: tuple[str, ...]) -> PrivatePolicy:
    hosts: set[str] = set()
    networks: list[IPNetwork] = []
    for item in items:
        item = item.strip().lower()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item.strip("[]"), strict=False))
        except ValueError:
            hosts.add(item.rstrip("."))
    return PrivatePolicy(frozenset(hosts), tuple(networks))


def private_policy(value: str | Iterable[str] | PrivatePolicy | None) -> PrivatePolicy:
    """Parse `ALLOW_PRIVATE_HOSTS` ("127.0.0.1,192.168.1.0/24,nas.lan") into a policy."""
    if isinstance(value, PrivatePolicy):
        return value
    if not value:
        return PrivatePolicy()
    items = value.split(",") if isinstance(value, str) else list(value)
    return _parse_policy(tuple(items))


def is_public(address: IPAddress) -> bool:
    """False for private, loopback, link-local, multicast, reserved or unspecified addresses."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not (address.is_private or address.is_loopback or address.is_link_local
                or address.is_multicast or address.is_reserved or address.is_unspecified
                or not address.is_global)


def host_allowed(host: str, allowed_hosts: Iterable[str]) -> bool:
    """Whether `host` is one of `allowed_hosts` or a subdomain of one."""
    for allowed in allowed_hosts:
        allowed = allowed.strip().lower().lstrip(".").rstrip(".")
        if allowed and (host == allowed or host.endswith("." + allowed)):
            return True
    return False


def split_url(url: str) -> tuple[str, str, int]:
    """Return (scheme, host, port) of an http(s) URL or raise UrlRejected."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        raise UrlRejected("This is not a valid URL.", url=url) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"{scheme}:" if scheme else "a URL without a scheme"
        raise UrlRejected(f"Only http:// and https:// URLs can be fetched, not {shown}.",
                          url=url)
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise UrlRejected("The URL has no host name.", url=url)
    return scheme, host, port or (443 if scheme == "https" else 80)


def resolve_host(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (an IP literal resolves to itself)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise ConnectionFailed(f"The host name {host} could not be resolved ({exc}).") from None
    addresses = []
    for info in infos:
        try:
            addresses.append(ipaddress.ip_address(str(info[4][0]).split("%")[0]))
        except ValueError:
            continue
    if not addresses:
        raise ConnectionFailed(f"The host name {host} has no usable address.")
    return addresses


def check_address(host: str, address: IPAddress, policy: PrivatePolicy, url: str = "") -> None:
    """Refuse a non-public address unless the policy allows it."""
    if not is_public(address) and not policy.allows(host, address):
        raise UrlRejected(
            f"{host} resolves to {address}, a private or local address the server may not "
            "fetch from (an admin can allow it with ALLOW_PRIVATE_HOSTS).", url=url)


def guard_url(url: str, *, allow_private: str | Iterable[str] | PrivatePolicy | None = (),
              allowed_hosts: Iterable[str] | None = None) -> None:
    """Raise UrlRejected unless `url` may be fetched (scheme, allowed host, public address)."""
    _scheme, host, port = split_url(url)
    if allowed_hosts is not None and not host_allowed(host, allowed_hosts):
        raise UrlRejected(f"The server may not fetch from {host}: it is not one of this "
                          "source's hosts.", url=url)
    policy = private_policy(allow_private)
    for address in resolve_host(host, port):
        check_address(host, address, policy, url)
