"""The SSRF guard: which URLs and addresses a server-side call may reach.

A URL is checked twice: when it is saved (its form, and every address its host resolves
to) and when it is called — the HTTP client's connections go through
``GuardedNetworkBackend``, which resolves the host itself, refuses a forbidden address
and connects to the address it checked, so a DNS answer that changes between the check
and the call (rebinding) reaches nothing new. Redirects are never followed.

Refused always: unspecified (``0.0.0.0``, ``::``), link-local (``169.254.0.0/16`` with
the cloud metadata services, ``fe80::/10``), multicast, reserved and broadcast
addresses, and the metadata addresses of the big clouds. Refused unless an
administrator allows private networks for that connection (a local Ollama or vLLM):
loopback, private ranges (RFC 1918, ``fc00::/7``), shared address space
(``100.64.0.0/10``) and every other address that is not globally routable. IPv4 written
as one integer, in octal or hex, or mapped into IPv6 (``::ffff:127.0.0.1``, 6to4,
NAT64) is judged as the IPv4 address it means.
"""

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import SplitResult, urlsplit

import anyio
import httpcore2
from httpcore2 import AsyncNetworkBackend, AsyncNetworkStream

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressClass(StrEnum):
    """Why an address is refused (``public`` is the one allowed everywhere)."""

    PUBLIC = "public"
    LOOPBACK = "loopback"
    PRIVATE = "private"
    LINK_LOCAL = "link-local"
    METADATA = "metadata"
    MULTICAST = "multicast"
    UNSPECIFIED = "unspecified"
    RESERVED = "reserved"


# What an administrator's "allow private networks" opens; the rest stays closed.
_PRIVATE_CLASSES = frozenset({AddressClass.LOOPBACK, AddressClass.PRIVATE})


class UrlRefused(ValueError):
    """A URL or address the guard refuses; the message says why, without any secret."""


@dataclass(frozen=True)
class AddressPolicy:
    """Whether loopback and private addresses are allowed (an administrator's choice)."""

    allow_private_network: bool = False

    def check(self, address: IpAddress, host: str) -> None:
        """Raises ``UrlRefused`` unless ``address`` (resolved from ``host``) may be reached."""
        kind = classify(address)
        if kind is AddressClass.PUBLIC:
            return
        if self.allow_private_network and kind in _PRIVATE_CLASSES:
            return
        shown = host if host == str(address) else f"{host} ({address})"
        hint = (
            "; an administrator can allow private networks for this connection"
            if kind in _PRIVATE_CLASSES
            else ""
        )
        raise UrlRefused(f"{shown} is a {kind.value} address, which is not allowed{hint}")


def classify(address: IpAddress) -> AddressClass:
    """The class of ``address``; IPv4 embedded in IPv6 is judged as that IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is not None:
            return classify(embedded)
    if address in _METADATA_ADDRESSES:
        return AddressClass.METADATA
    if address.is_unspecified:
        return AddressClass.UNSPECIFIED
    if address.is_loopback:
        return AddressClass.LOOPBACK
    if address.is_link_local:
        return AddressClass.LINK_LOCAL
    if address.is_multicast:
        return AddressClass.MULTICAST
    if address.is_reserved:
        return AddressClass.RESERVED
    if isinstance(address, ipaddress.IPv4Address) and address == ipaddress.IPv4Address(
        "255.255.255.255"
    ):
        return AddressClass.RESERVED
    if not address.is_global:
        return AddressClass.PRIVATE
    return AddressClass.PUBLIC


def literal_address(host: str) -> IpAddress | None:
    """The address ``host`` spells, in any form a resolver accepts, else None (a name).

    ``inet_aton`` accepts what glibc's resolver does: ``2130706433``, ``0x7f.1``,
    ``0177.0.0.1``, ``127.1``.
    """
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return ipaddress.ip_address(bare.split("%", 1)[0])
    except ValueError:
        pass
    if bare and all(c in "0123456789abcdefxABCDEFX." for c in bare):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(bare))
        except OSError:
            return None
    return None


def parse_service_url(url: str) -> SplitResult:
    """``url`` split, if it is a plain ``http(s)://host[:port][/path]`` URL.

    Raises:
        UrlRefused: Another scheme, credentials in the URL, a query or fragment, no host,
            a bad port, or characters that do not belong in a host.
    """
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise UrlRefused("the URL contains spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UrlRefused(f"the URL is malformed ({error})") from None
    if parts.scheme not in ("http", "https"):
        raise UrlRefused("only http and https URLs are allowed")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UrlRefused("the URL must not contain credentials; store the key in the connection")
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise UrlRefused("the URL must not have a query or fragment")
    host = parts.hostname
    if not host:
        raise UrlRefused("the URL has no host")
    if port == 0:
        raise UrlRefused("the URL's port must be between 1 and 65535")
    if literal_address(host) is None and not all(c.isalnum() or c in "-." for c in host):
        raise UrlRefused(f"'{host}' is not a valid host name")
    return parts


def resolve(host: str, port: int) -> list[IpAddress]:
    """Every address ``host`` resolves to (blocking; a literal address is itself).

    Raises:
        UrlRefused: The name does not resolve.
    """
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UrlRefused(f"the host '{host}' does not resolve") from None
    return _addresses(info[4][0] for info in infos)


def check_url(url: str, policy: AddressPolicy) -> str:
    """Checks ``url``'s form and every address its host resolves to now (at save time).

    Returns:
        The URL without a trailing slash.

    Raises:
        UrlRefused: Why the URL may not be used.
    """
    parts = parse_service_url(url)
    host = parts.hostname or ""
    for address in resolve(host, parts.port or (443 if parts.scheme == "https" else 80)):
        policy.check(address, host)
    return url.rstrip("/")


def _addresses(raw: Iterable[object]) -> list[IpAddress]:
    found: list[IpAddress] = []
    for value in raw:
        address = ipaddress.ip_address(str(value).split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found


class GuardedNetworkBackend(AsyncNetworkBackend):
    """An httpcore network backend that checks every address before connecting to it.

    It resolves the host itself, refuses it if any address is forbidden, and connects to
    a checked address; TLS still verifies the certificate against the host name.
    """

    def __init__(self, policy: AddressPolicy, inner: AsyncNetworkBackend | None = None) -> None:
        self._policy = policy
        self._inner = inner or httpcore2.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore2.SOCKET_OPTION] | None = None,
    ) -> AsyncNetworkStream:
        addresses = await self._resolve(host, port)
        try:
            for address in addresses:
                self._policy.check(address, host)
        except UrlRefused as refused:
            raise httpcore2.ConnectError(str(refused)) from None
        return await self._inner.connect_tcp(
            str(addresses[0]), port, timeout, local_address, socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore2.SOCKET_OPTION] | None = None,
    ) -> AsyncNetworkStream:
        raise httpcore2.ConnectError("unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)

    async def _resolve(self, host: str, port: int) -> list[IpAddress]:
        literal = literal_address(host)
        if literal is not None:
            return [literal]
        try:
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as error:
            raise httpcore2.ConnectError(f"the host '{host}' does not resolve") from error
        addresses = _addresses(info[4][0] for info in infos)
        if not addresses:
            raise httpcore2.ConnectError(f"the host '{host}' does not resolve")
        return addresses
