"""Demo data for a believable agency; safe to run any number of times."""

from django.core.management.base import BaseCommand
from django.db import transaction

from demo.seed import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load demo data (a manager, two shop owners, seats, agents, shops, workloads...)."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            summary = seed_demo()
        for line in summary:
            self.stdout.write(f"  {line}")
        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins (password for all):"))
        self.stdout.write(f"  manager  / {DEMO_PASSWORD}   agency manager (staff)")
        self.stdout.write(f"  owner_a  / {DEMO_PASSWORD}   shop owner A")
        self.stdout.write(f"  owner_b  / {DEMO_PASSWORD}   shop owner B")
        self.stdout.write(
            f"  agent01  / {DEMO_PASSWORD}   agent 张伟 (seat S01, day; agent01-agent21)"
        )
