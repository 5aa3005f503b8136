"""Budget revisions are only ever added: a trigger refuses to change or delete one, whatever the code path
(the admin shows them read-only; a raw UPDATE or a shell session is refused too). Only the "entered by"
link may become empty, when the staff account it names is deleted."""

from django.db import migrations

CREATE = """
CREATE FUNCTION budgets_revision_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (NEW.id, NEW.budget_id, NEW.amount_before, NEW.amount_after, NEW.reason, NEW.note, NEW.revised_on,
            NEW.reference, NEW.created_at)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.budget_id, OLD.amount_before, OLD.amount_after, OLD.reason, OLD.note, OLD.revised_on,
            OLD.reference, OLD.created_at)
       AND NEW.created_by_id IS NULL THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'budget revisions are only ever added, never changed or deleted'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER budgets_revision_append_only BEFORE UPDATE OR DELETE ON budgets_budgetrevision
    FOR EACH ROW EXECUTE FUNCTION budgets_revision_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS budgets_revision_append_only ON budgets_budgetrevision;
DROP FUNCTION IF EXISTS budgets_revision_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("budgets", "0001_initial")]

    operations = [migrations.RunSQL(CREATE, DROP)]
