"""Documents never load anything: every external resource in a PDF's HTML is refused cleanly
(``agency.pdf.render_pdf``), whether it names a file or a server on this machine."""

import http.server
import threading

import pytest

from agency.pdf import pdf_rendering_unavailable, render_pdf

pytestmark = pytest.mark.skipif(
    pdf_rendering_unavailable() is not None,
    reason=f"PDF rendering unavailable here: {pdf_rendering_unavailable()}",
)


@pytest.fixture
def local_server():
    """A server on 127.0.0.1 that counts the requests it gets."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"p { color: red }")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "resource",
    [
        '<img src="file:///etc/passwd">',
        '<link rel="stylesheet" href="file:///etc/hostname">',
        '<div style="background: url(file:///etc/passwd)">x</div>',
    ],
)
def test_a_file_reference_is_refused_and_the_document_still_renders(resource):
    pdf = render_pdf(f"<html><body><p>账单</p>{resource}</body></html>")

    assert pdf.startswith(b"%PDF")
    assert b"root:" not in pdf


def test_a_reference_to_a_server_on_this_machine_is_never_requested(local_server):
    base, requests = local_server
    html = (
        f'<html><head><link rel="stylesheet" href="{base}/style.css"></head>'
        f'<body><img src="{base}/logo.png"><p style="background: url({base}/bg.png)">x</p>'
        "</body></html>"
    )

    pdf = render_pdf(html)

    assert pdf.startswith(b"%PDF")
    assert requests == []
