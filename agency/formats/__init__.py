"""How dates and numbers read, one rule per language (``FORMAT_MODULE_PATH``).

| what | English | 简体中文 |
|---|---|---|
| date | 2026-11-30 | 2026-11-30 |
| month | November 2026 | 2026年11月 |
| date and time (Shanghai) | 2026-11-30 17:05 | 2026-11-30 17:05 |
| day on a chart's axis | 11-30 | 11-30 |
| money | 1,234.56 | 1,234.56 |

Dates are ISO in both languages: unambiguous, sortable, and how Chinese offices and billing write
them; months are named, since "2026-11" reads as a code to an owner. Money is grouped by thousands
with a decimal point in both languages, as Chinese invoices and bank statements write it (千分位).
Templates' ``|date`` without an argument, ``{{ some_date }}`` and the filters of the manager app
and the portal (``agency.formatting``) all follow these modules.
"""
