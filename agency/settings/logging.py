"""structlog set-up shared by web and worker processes: one JSON line per event on stdout."""

import structlog


def configure_structlog() -> None:
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.filter_by_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.stdlib.add_logger_name,
            structlog.stdlib.add_log_level,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            structlog.processors.UnicodeDecoder(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )


class DropResponseStatusLines:
    """Drop Django's plain "Service Unavailable: /path" lines.

    They are written after the request's context is gone (so without a request id) and repeat what
    django-structlog's ``request_finished`` line already says with the status code. Lines that
    carry an exception are kept.
    """

    def filter(self, record) -> bool:
        return record.exc_info is not None
