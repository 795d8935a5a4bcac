"""structlog set-up shared by web and worker processes: one JSON line per event on stdout."""

import logging

import structlog
from structlog.stdlib import ProcessorFormatter

LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "warn": logging.WARNING,
    "error": logging.ERROR,
    "exception": logging.ERROR,
    "critical": logging.CRITICAL,
    "fatal": logging.CRITICAL,
}


def _json_stream_handler(logger: logging.Logger, level: int) -> logging.StreamHandler | None:
    """The one handler a record of ``logger`` at ``level`` would reach, when that handler is a
    plain ``StreamHandler`` whose formatter is a ``ProcessorFormatter`` rendering JSON and
    nothing else (``settings.LOGGING``'s ``json``), with no filter on the way; else ``None``."""
    handlers = []
    current = logger
    while current is not None:
        if current.filters:
            return None
        handlers.extend(current.handlers)
        if not current.propagate:
            break
        current = current.parent
    if len(handlers) != 1:
        return None
    handler = handlers[0]
    formatter = handler.formatter
    if (
        type(handler) is not logging.StreamHandler
        or handler.filters
        or level < handler.level
        or type(formatter) is not ProcessorFormatter
        or formatter._style._fmt != "%(message)s"
        or len(formatter.processors) != 2
        or formatter.processors[0] != ProcessorFormatter.remove_processors_meta
        or not isinstance(formatter.processors[1], structlog.processors.JSONRenderer)
    ):
        return None
    return handler


def write_json_or_forward(logger: logging.Logger, method_name: str, event_dict: dict):
    """structlog's last processor: an event that would reach only the JSON handler is written
    by it here, the same line ``logging`` would write (``ProcessorFormatter``'s JSON renderer,
    then the handler's terminator, under its lock); any other goes on to ``logging`` as
    ``ProcessorFormatter.wrap_for_formatter`` sends it.

    The way through ``logging`` makes two ``LogRecord``\\ s, looks up the caller's frame and
    copies the event for every line, which the JSON line does not show: some 55 us of a line's
    120 us in one process, and the request log writes two lines a request."""
    handler = _json_stream_handler(logger, LEVELS.get(method_name, logging.NOTSET))
    if handler is None:
        return ProcessorFormatter.wrap_for_formatter(logger, method_name, event_dict)
    line = handler.formatter.processors[1](logger, method_name, event_dict)
    handler.acquire()
    try:
        handler.stream.write(line + handler.terminator)
        handler.flush()
    except RecursionError:
        raise
    except Exception:
        handler.release()
        return ProcessorFormatter.wrap_for_formatter(logger, method_name, event_dict)
    handler.release()
    raise structlog.DropEvent


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
            write_json_or_forward,
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
