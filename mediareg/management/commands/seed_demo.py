"""manage.py seed_demo [--no-users]: load the demo register, its e-catalog and its budgets (mediareg.demo).
Safe to re-run."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from mediareg.demo import seed_demo


class Command(BaseCommand):
    help = ("Load the demo register (35 Jakarta press companies, 50 outlets, their documents), its e-catalog and "
            "two agencies' media budgets and orders. Safe to re-run.")

    def add_arguments(self, parser):
        parser.add_argument("--no-users", action="store_true", help="Do not create the demo logins.")

    def handle(self, *args, no_users=False, **options):
        with_users = settings.DEBUG and not no_users
        result = seed_demo(with_users=with_users)
        outlets = sum(len(spec.outlets) for spec in result.plan)
        details = ", ".join(f"{n} {what}" for what, n in result.created.items() if n)
        self.stdout.write(f"Demo data: {len(result.plan)} companies, {outlets} outlets, {result.documents} documents "
                          f"(created {sum(result.created.values())}{': ' + details if details else ''})")
        if with_users:
            note = f" (new: {', '.join(result.new_users)})" if result.new_users else ""
            self.stdout.write(f"Demo reviewers: verifikator / verifikator, auditor / auditor{note}")
            officers = ", ".join(f"{name} / {name} ({agency})" for name, agency in result.budgets.officers.items())
            if officers:
                self.stdout.write(f"Demo budget officers: {officers}")
            approvers = ", ".join(f"{name} / {name} ({agency})" for name, agency in result.approvers.items())
            if approvers:
                self.stdout.write(f"Demo second approvers of held orders (PPK): {approvers}")
            admins = ", ".join(f"{name} / {name} ({agency})" for name, agency in result.admins.items())
            if admins:
                self.stdout.write(f"Demo agency administrators (Admin Instansi): {admins}")
            self.stdout.write(self.style.SUCCESS("Admin login: admin / admin at http://127.0.0.1:8000/admin/"))
        else:
            self.stdout.write("No demo logins were created (DEBUG is off or --no-users); "
                              "create an administrator with `manage.py createsuperuser`.")
        self.stdout.write("E-catalog: eligibility re-checked; new listings: "
                          + ", ".join(f"{n} {state}" for state, n in result.listings.items()))
        budgets = result.budgets
        new = ", ".join(f"{n} {what}" for what, n in budgets.created.items() if n)
        self.stdout.write(f"Budgets: {budgets.agencies} agencies, {budgets.budgets} budgets, {budgets.price_items} "
                          f"price list items, {budgets.orders} orders (created {sum(budgets.created.values())}"
                          f"{': ' + new if new else ''})")
        for refusal in budgets.refused:
            self.stdout.write(self.style.WARNING(f"A planned demo order was refused: {refusal}"))
        for held in budgets.held_back:
            self.stdout.write(f"A planned demo order was not placed, the outlet's proof being overdue: {held}")
