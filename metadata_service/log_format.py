"""Log formats of LOG_FORMAT. Loaded while logging is configured, before Django's apps: no app imports here."""

import json
import logging
from datetime import UTC, datetime

REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "tenant", "request_id")

# Neither format shows a thread or a process name, so records do not look them up. Under gevent each
# connection is served by a new greenlet, and the first thread lookup in a greenlet builds a thread object
# for it: about 25 µs of every connection's request line (bench/profile_item.py, a greenlet per request).
logging.logThreads = False
logging.logMultiprocessing = False


class TextFormatter(logging.Formatter):
    """``time level logger message``, and ``request_id=`` for a record made while a request was served."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record):
        line = super().format(record)
        request_id = getattr(record, "request_id", None)
        if request_id and f"request_id={request_id}" not in record.getMessage():  # the request line has it
            line += f" request_id={request_id}"
        return line


class JSONFormatter(logging.Formatter):
    """A log record as one JSON object: time, level, logger, message, the request fields when present."""

    def format(self, record):
        document = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        document.update({name: getattr(record, name) for name in REQUEST_FIELDS if hasattr(record, name)})
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return json.dumps(document, ensure_ascii=False, default=str)
