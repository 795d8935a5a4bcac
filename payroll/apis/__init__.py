"""REST API of the payroll app (routes in ``payroll.api_urls``)."""
