"""The nginx configuration in front of several `panel serve` processes: sticky by a cookie, websockets passed.

A Bokeh session lives in the memory of the process that built it, so the page's request and its websocket
must reach the same process. The first request of a browser goes to the pool (least connections); nginx
answers it with a cookie naming the process it reached, and every later request of that browser (the
websocket, the page's files, a reload) goes to that process alone. A client that sends no cookie (Bokeh's
Python client opens only a websocket) stays on the one connection it was given. docs/deploy.md explains
each setting; the same file, with hosts for 127.0.0.1, carries past one machine.
"""

from __future__ import annotations

import shutil
from pathlib import Path

COOKIE = "glproc"
"""The cookie that pins a browser to its process: its value is the process's address, e.g. 127.0.0.1:5101."""


TEMP_FOLDERS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
"""nginx's temporary files, in the server's own folder (the default ones need root)."""


def find_nginx() -> str | None:
    """The nginx binary (Debian installs it in /usr/sbin, which a user's PATH may lack), or None."""
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file() else None)


def config(listen: str, backends: list[str], folder: Path, user: str | None = None) -> str:
    """A whole nginx.conf for nginx listening on `listen` (host:port) in front of `backends` (host:port each):
    what `ganlab-panel serve --processes N` runs. `folder` holds its pid, log and temporary files; `user` is
    who its workers run as when started as root."""
    temp = "".join(f"    {kind}_temp_path {folder / kind};\n" for kind in TEMP_FOLDERS)
    site_lines = "".join(f"    {line}\n" if line else "\n" for line in site(listen, backends).splitlines())
    return f"""# Written by `ganlab-panel serve --processes {len(backends)}`: see docs/deploy.md.
{f"user {user};" if user else ""}
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 4096; }}

http {{
    access_log off;
{temp}
{site_lines}}}
"""


def site(listen: str, backends: list[str], server_name: str = "") -> str:
    """The `http { }` part alone: upstreams, the sticky maps and the server. A host's nginx includes it as
    /etc/nginx/conf.d/ganlab.conf in front of processes on several machines (`ganlab-panel nginx-site`)."""
    pool = "".join(f"    server {b};\n" for b in backends)
    singles = "".join(f"upstream {_name(b)} {{ server {b}; }}\n" for b in backends)
    pins = "".join(f'    "{b}" {_name(b)};\n' for b in backends)
    name = f"    server_name {server_name};\n" if server_name else ""
    return f"""# GAN Lab (Panel): a browser's first request goes to the process with the fewest open connections; the
# cookie {COOKIE} then keeps every later request of that browser (its websocket above all) on that process.
# Bokeh sends the session's token in the websocket's Sec-WebSocket-Protocol header: it can pass 8 KB.
large_client_header_buffers 4 32k;

map $http_upgrade $connection_upgrade {{
    default upgrade;
    ''      close;
}}

upstream gl_pool {{
    least_conn;
{pool}}}
{singles}
map $cookie_{COOKIE} $gl_upstream {{
    default gl_pool;
{pins}}}
# pin a browser that came through the pool to the process it reached
map $gl_upstream $gl_pin {{
    gl_pool "{COOKIE}=$upstream_addr; Path=/; HttpOnly; SameSite=Lax";
    default "";
}}

server {{
    listen {listen};
{name}    location / {{
        proxy_pass http://$gl_upstream;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        # a session's websocket is quiet while its page is paused: keep it open for a lesson
        proxy_read_timeout 3600s;
        proxy_send_timeout 3600s;
        # frames go out as they come, not when a buffer fills
        proxy_buffering off;
        add_header Set-Cookie $gl_pin;
    }}
}}
"""


def _name(backend: str) -> str:
    return "gl_" + backend.replace(".", "_").replace(":", "_")
