"""Writes of the payroll app. Import from the modules: ``payroll.services.runs`` (payroll runs,
approval, adjustments), ``payroll.services.locks``."""
