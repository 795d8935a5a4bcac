"""Write services of the payroll app."""
