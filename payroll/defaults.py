"""The pay book's documented defaults (docs/pay.md): what an agency starts from before it edits
its own. A month with no pay book of its own uses the latest one in force, else these."""

from decimal import Decimal

# Weights of the scored KPIs, in points out of 100 (the common sheet of Chinese CS teams: sales
# target, conversion, reply rate, response time, attendance, plus quality reviews).
WEIGHTS = {
    "inquiries": 15,
    "conversion": 20,
    "answer_ratio": 15,
    "fast_responses": 5,
    "sales": 25,
    "attendance": 5,
    "quality": 15,
}
# What meets a KPI in full: inquiries per day worked (an agent's 100-120 is busy to strained),
# shares as fractions (a buyer's message answered by 1.25 of the agent's), sales in CNY a month
# (100 inquiries a day converting at 55 % with orders of about 150 yuan), the quality average
# out of 100.
TARGETS = {
    "inquiries": Decimal("100"),
    "conversion": Decimal("0.5500"),
    "answer_ratio": Decimal("1.2500"),
    "fast_responses": Decimal("0.9000"),
    "sales": Decimal("250000.00"),
    "attendance": Decimal("1.0000"),
    "quality": Decimal("90.00"),
}
# Lowest score of each grade (below bronze: needs improvement) and the bonus it earns.
GRADE_FLOORS = {"gold": Decimal("95.00"), "silver": Decimal("90.00"), "bronze": Decimal("80.00")}
GRADE_BONUSES = {
    "gold": Decimal("500.00"),
    "silver": Decimal("300.00"),
    "bronze": Decimal("100.00"),
    "improve": Decimal("0.00"),
}
COMMISSION_RATE = Decimal("0.0020")  # 0.2 % of the agent's attributed sales
COVER_ALLOWANCE = Decimal("50.00")  # per cover shift worked
APPEAL_DAYS = 3  # an agent may appeal a quality review within 3 days of it
FAST_RESPONSE_SECONDS = 120
