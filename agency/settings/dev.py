"""Local development: DEBUG on, SQLite and in-process tasks unless the environment says otherwise.

``manage.py`` uses this module by default; servers (wsgi, Celery) default to ``base``.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")
# Demo payment details, so the local site shows "How to pay" as owners see it (docs/invoices.md);
# the environment (.env) overrides them, and production (``base``) has none unless set.
os.environ.setdefault("AGENCY_BANK_NAME", "招商银行杭州分行")
os.environ.setdefault("AGENCY_BANK_ACCOUNT", "5719 0000 0000 0000")
os.environ.setdefault("AGENCY_ALIPAY_ACCOUNT", "pay@yunkefu.example.cn")
os.environ.setdefault("AGENCY_WECHAT_PAY_ACCOUNT", "云客服外包（微信收款商户号 1600000000）")

from agency.settings.base import *  # noqa: E402,F403
