"""Where `sam local` containers reach this machine's local stack.

SAM's containers sit on Docker's default bridge and name this machine `host.docker.internal`
(`--add-host host.docker.internal:host-gateway`, see samconfig.toml). On Linux engines that is
the bridge's own address on this machine (docker0), where a server bound to 127.0.0.1 is not
reachable; Docker Desktop forwards it to the loopback itself and has no docker0 here.
"""

import fcntl
import socket
import struct

DOCKER_BRIDGE = "docker0"
SIOCGIFADDR = 0x8915  # Linux: an interface's IPv4 address


def bridge_address(interface: str = DOCKER_BRIDGE) -> str | None:
    """The interface's IPv4 address, or None when it does not exist (no Linux Docker engine).

    By hand: the standard library has no call for an interface's address, and this one ioctl
    does not warrant a dependency (psutil) in the local stack.
    """
    if interface not in {name for _, name in socket.if_nameindex()}:
        return None
    request = struct.pack("256s", interface.encode()[:15])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            answer = fcntl.ioctl(probe.fileno(), SIOCGIFADDR, request)
        except OSError:  # the interface has no IPv4 address
            return None
    return socket.inet_ntoa(answer[20:24])
