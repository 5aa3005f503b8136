"""What every page of the registry's back office shares (catalog's pages build on it too)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from mediareg.admin_helpers import audit_trail_link, without_field

from .. import services
from ..models import CompanyBankAccount, CompanyOwner, Document, MediaOutlet, OutletDomain, PressVerification


def document_permissions(request) -> dict:
    return {"can_review_documents": request.user.has_perm("partners.review_document"),
            "can_download_documents": request.user.has_perm("partners.download_document")}


class RegistryAdmin(admin.ModelAdmin):
    show_full_result_count = False
    list_per_page = 50

    @admin.display(description=_("audit trail"))
    def audit_trail(self, obj):
        return audit_trail_link(obj)

    # A save, a deletion or a bulk action is one staff edit: the eligibility re-checks its writes ask
    # for run once, as soon as its transaction has committed and before the page is answered, so the
    # page the person sees next shows the fresh result (services.staff_edit).

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The documents shown on a page get review buttons and preview links only for staff who may use
        # them (templates/admin/partners/document_actions.html).
        extra_context = {**document_permissions(request), **(extra_context or {})}
        with services.staff_edit(request.user):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        with services.staff_edit(request.user):
            return super().delete_view(request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        with services.staff_edit(request.user):
            return super().changelist_view(request, extra_context)

    def save_formset(self, request, form, formset, change):
        """Inline rows go through the services their own pages use."""
        if formset.model not in (OutletDomain, Document, PressVerification, MediaOutlet, CompanyOwner,
                                 CompanyBankAccount):
            super().save_formset(request, form, formset, change)
            return
        instances = formset.save(commit=False)
        if formset.model is OutletDomain:
            if formset.has_changed():
                services.outlet_domains_save(form.instance, saved=instances, deleted=formset.deleted_objects)
        elif formset.model is Document:
            if formset.deleted_objects:
                services.documents_delete(Document.objects.filter(pk__in=[d.pk for d in formset.deleted_objects]))
            for document in instances:
                services.document_save(document)
        elif formset.model is PressVerification:  # one per outlet, never deleted inline
            for verification in instances:
                services.verification_save(verification)
        elif formset.model is CompanyOwner:  # the company page's owners: shares checked together
            if formset.has_changed():
                services.company_owners_save(form.instance, saved=instances, deleted=formset.deleted_objects)
        elif formset.model is CompanyBankAccount:
            if formset.has_changed():
                services.bank_accounts_save(form.instance, saved=instances, deleted=formset.deleted_objects)
        elif formset.model is MediaOutlet:  # the company page's outlets
            for outlet in formset.deleted_objects:
                outlet.delete()
            saved = {id(outlet) for outlet in instances}
            for outlet_form in formset.forms:
                if id(outlet_form.instance) in saved:
                    services.outlet_save(outlet_form.instance, changed=outlet_form.changed_data)
        formset.save_m2m()

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.has_perm("mediareg.view_auditevent"):
            return fieldsets
        # Reviewers may not open the audit trail, so their pages do not link to it.
        return [(name, {**options, "fields": without_field(options["fields"], "audit_trail")})
                for name, options in fieldsets]
