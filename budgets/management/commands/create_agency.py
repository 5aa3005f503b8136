"""Add an agency and its first administrator (budgets.services.agency_onboard; README "A new agency")."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from budgets.services import BudgetRefused, agency_onboard


class Command(BaseCommand):
    help = ("Add an agency (province, regency or city) with its budget-year defaults and its first administrator, "
            "who is e-mailed a link to set their password.")

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="The agency's full name.")
        parser.add_argument("--kind", required=True, choices=["province", "regency", "city"])
        parser.add_argument("--region-code", required=True,
                            help="Kemendagri code: 31 (a province), 63.03 (a regency: 01-70), 31.71 (a city: 71-99).")
        parser.add_argument("--admin-email", required=True, help="The administrator's e-mail, also their user name.")
        parser.add_argument("--short-name", default="", help="Shown where space is short, e.g. 'Diskominfo Banjar'.")
        parser.add_argument("--slug", default="", help="The agency's part of public addresses (default: from the "
                                                       "short name or the name).")
        parser.add_argument("--admin-name", default="", help="The administrator's full name.")

    def handle(self, *args, **options):
        try:
            done = agency_onboard(name=options["name"], kind=options["kind"], region_code=options["region_code"],
                                  admin_email=options["admin_email"], short_name=options["short_name"],
                                  slug=options["slug"], admin_name=options["admin_name"])
        except BudgetRefused as refusal:
            raise CommandError(" ".join(str(m) for m in refusal.messages)) from refusal
        agency = done.agency
        self.stdout.write(_("Agency created: %(name)s (%(kind)s, region code %(code)s, address name %(slug)s).")
                          % {"name": agency.name, "kind": agency.get_kind_display(), "code": agency.region_code,
                             "slug": agency.slug})
        self.stdout.write(_("Budget-year defaults: account %(code)s %(account)s, price comparison factor %(factor)s.")
                          % {"code": agency.default_account_code, "account": agency.default_account_name,
                             "factor": agency.default_price_comparison_factor})
        self.stdout.write(_("Administrator: user %(user)s, role Admin Instansi, no password yet.")
                          % {"user": done.admin.get_username()})
        self.stdout.write(_("E-mail with the link to set the password queued for %(email)s (valid %(days)s days, "
                            "links on %(site)s).")
                          % {"email": done.link_sent_to, "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
                             "site": settings.SITE_URL})
