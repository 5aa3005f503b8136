"""The owners and bank accounts of a press company, as inlines of its page (docs/domain.md "Owners and
conflicts of interest").

An owner's identity number (NIK) and a bank account number are private: staff without the permission
``partners.view_private_numbers`` see the last four digits, may type a new number, and leave the field
empty to keep the stored one; the form never sends the stored number to their browser.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..identifiers import normalize_account_number, validate_nik
from ..models import CompanyBankAccount, CompanyOwner, mask_digits

PRIVATE_NUMBERS = "partners.view_private_numbers"


def may_see_private_numbers(user) -> bool:
    return bool(user and user.has_perm(PRIVATE_NUMBERS))


class PrivateNumberForm(forms.ModelForm):
    """A model form with one private number field (``private_field``), shown whole only when ``reveal``."""

    private_field = ""
    reveal = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields[self.private_field]
        field.required = self.private_field == "account_number" and not self.instance.pk
        stored = getattr(self.instance, self.private_field, "")
        if stored and not self.reveal:
            self.initial[self.private_field] = ""
            field.widget.attrs["placeholder"] = mask_digits(stored)
            field.help_text = gettext("Stored: %(masked)s. Leave empty to keep it, or type a new number.") % {
                "masked": mask_digits(stored)}

    def clean_private(self, value: str, normalize) -> str:
        value = (value or "").strip()
        stored = getattr(self.instance, self.private_field, "") if self.instance.pk else ""
        if not value:
            if stored and not self.reveal:
                return stored
            if self.fields[self.private_field].required:
                raise ValidationError(_("Enter the number."), code="required")
            return ""
        return normalize(value)


class OwnerForm(PrivateNumberForm):
    private_field = "identity_number"
    identity_number = forms.CharField(label=_("identity number (NIK)"), max_length=30, required=False)

    class Meta:
        model = CompanyOwner
        fields = ["name", "identity_number", "kind", "share_percent", "position"]

    def clean_identity_number(self):
        return self.clean_private(self.cleaned_data.get("identity_number"), validate_nik)


class BankAccountForm(PrivateNumberForm):
    private_field = "account_number"
    account_number = forms.CharField(label=_("account number"), max_length=40, required=False)

    class Meta:
        model = CompanyBankAccount
        fields = ["bank_name", "account_number", "account_holder"]

    def clean_account_number(self):
        return self.clean_private(self.cleaned_data.get("account_number"), normalize_account_number)


class OwnerFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [form for form in self.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        total = sum((form.cleaned_data.get("share_percent") or Decimal(0) for form in kept), Decimal(0))
        services.shares_check(self.instance, total)


class PrivateNumberInline(admin.TabularInline):
    """Staff who may only view the company (auditors, budget officers) see the masked number in its place."""

    extra = 0
    private_field = ""
    masked_field = ""

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if may_see_private_numbers(request.user) or self.has_change_permission(request, obj):
            return fields
        return [self.masked_field if name == self.private_field else name for name in fields]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), self.masked_field]

    def get_formset(self, request, obj=None, **kwargs):
        form = type(self.form.__name__, (self.form,), {"reveal": may_see_private_numbers(request.user)})
        return super().get_formset(request, obj, form=form, **kwargs)


class CompanyOwnerInline(PrivateNumberInline):
    model = CompanyOwner
    form = OwnerForm
    formset = OwnerFormSet
    fields = ["name", "identity_number", "kind", "share_percent", "position"]
    private_field, masked_field = "identity_number", "identity_masked"
    verbose_name = _("owner or shareholder")
    verbose_name_plural = _("owners and shareholders")


class CompanyBankAccountInline(PrivateNumberInline):
    model = CompanyBankAccount
    form = BankAccountForm
    fields = ["bank_name", "account_number", "account_holder"]
    private_field, masked_field = "account_number", "account_masked"
