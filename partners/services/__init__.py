"""The registry's write operations, one function per fact, which the admin, the public form, the Dewan
Pers import, seed_demo, the commands and the API all call: nothing else creates or changes companies,
outlets, domains, verifications or documents. One module per subject; ``edits`` groups the writes of
a page, a submission or a job with the eligibility re-check they ask for.

Each function validates what it writes (the model's own checks, which every form of it runs too, and
the lookups a rule needs), writes in one transaction, runs under the caller's actor (``actor=`` for a
form or a job that no signed-in person runs) and asks for the re-check of the outlets concerned.
"""

from .companies import company_check_nib, company_register, company_save
from .documents import (
    discard_files,
    document_place,
    document_reset_review,
    document_save,
    documents_accept,
    documents_add,
    documents_delete,
    documents_reject,
)
from .edits import COMPANY_FACT_FIELDS, OUTLET_FACT_FIELDS, registry_edit, staff_edit
from .outlets import (
    DomainTaken,
    outlet_domain_add,
    outlet_domains_save,
    outlet_register,
    outlet_save,
    verification_save,
    verifications_flag_missing,
)
from .owners import bank_accounts_save, company_owners_save, owner_save, shares_check

__all__ = [
    "COMPANY_FACT_FIELDS", "OUTLET_FACT_FIELDS", "DomainTaken", "bank_accounts_save", "company_check_nib",
    "company_owners_save", "owner_save", "shares_check", "company_register",
    "company_save", "discard_files", "document_place", "document_reset_review", "document_save",
    "documents_accept", "documents_add", "documents_delete", "documents_reject", "outlet_domain_add",
    "outlet_domains_save", "outlet_register", "outlet_save", "registry_edit", "staff_edit", "verification_save",
    "verifications_flag_missing",
]
