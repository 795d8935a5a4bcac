"""PDF rendering with WeasyPrint, for every document the app prints (invoices, credit notes,
statements of account, payslips).

WeasyPrint is imported lazily, on the first PDF, because it needs system libraries (Pango,
HarfBuzz) that a worker or a developer machine may lack; without them the rest of the site keeps
working and a PDF request says exactly what is missing (``PdfUnavailable``).

Documents are self-contained (styles inline, no images): ``render_pdf`` refuses every external
resource, whatever ends up in the HTML (a shop name, a reason typed by a user). The refusal is
WeasyPrint's own ``URLFetchingError``, which it expects: the resource is left out with a warning
and the document still renders; nothing is ever read from the network or the file system.
"""

import re
from importlib import import_module
from types import ModuleType

import structlog

logger = structlog.get_logger(__name__)

SYSTEM_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk"
_LIBRARY_NAME = re.compile(r"cannot load library '([^']+)'")


class PdfUnavailable(Exception):
    """WeasyPrint or one of the system libraries it needs cannot be loaded on this machine."""

    def __init__(self, missing: str) -> None:
        self.missing = missing
        super().__init__(f"PDF rendering is unavailable: {missing}")


def load_weasyprint() -> ModuleType:
    try:
        return import_module("weasyprint")
    except ImportError as exc:
        package = exc.name or "weasyprint"
        raise PdfUnavailable(f"the Python package {package!r} is not installed") from exc
    except OSError as exc:
        # cffi reports a missing shared library as "cannot load library 'libpango-1.0-0': ..."
        match = _LIBRARY_NAME.search(str(exc))
        library = match.group(1) if match else str(exc).splitlines()[0]
        raise PdfUnavailable(
            f"the system library {library!r} cannot be loaded (install {SYSTEM_PACKAGES})"
        ) from exc


def pdf_rendering_unavailable() -> str | None:
    """Return what is missing for PDF rendering on this machine, or ``None`` when it works."""
    try:
        load_weasyprint()
    except PdfUnavailable as exc:
        return exc.missing
    return None


def refusing_url_fetcher(weasyprint: ModuleType):
    """A WeasyPrint URL fetcher that fetches nothing: every URL (``file:``, ``http:``, ``data:``
    included) is refused with ``URLFetchingError``, the error WeasyPrint handles."""
    urls = import_module("weasyprint.urls")

    class RefusingURLFetcher(urls.URLFetcher):
        def fetch(self, url, headers=None):
            logger.warning("pdf_resource_refused", url=str(url)[:200])
            raise urls.URLFetchingError(f"Documents load no external resources ({url}).")

    return RefusingURLFetcher()


def render_pdf(html: str) -> bytes:
    """``html`` (a whole, self-contained document) as PDF bytes; ``PdfUnavailable`` when
    WeasyPrint cannot be loaded."""
    weasyprint = load_weasyprint()
    document = weasyprint.HTML(string=html, url_fetcher=refusing_url_fetcher(weasyprint))
    return document.write_pdf()
