"""order_place under concurrency, on PostgreSQL: many threads, each in its own connection, racing for one
budget (docs/architecture.md "Money").

Whatever the interleaving, the orders never exceed the budget, the budget row's ordered amount is the sum
of its live orders, exactly as many orders succeed as fit, and one request key is one order."""

from __future__ import annotations

import datetime
import threading
import uuid

import pytest
from django.db import connection
from django.db.models import Sum

from budgets import services
from budgets.models import Budget, MediaOrder, OrderStatus
from tests.budget_helpers import ORDER_DAY, approved_price, listed_eligible_outlet, make_agency, make_budget

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ordinary_day")]

THREADS = 16
TODAY = datetime.date(2026, 11, 26)


def race(work, *, threads: int = THREADS) -> tuple[list, list[Exception]]:
    """Run ``work(n)`` in ``threads`` threads released at the same moment; returns what they returned and
    the exceptions they raised. Each thread closes its own database connection."""
    barrier, results, errors, lock = threading.Barrier(threads), [], [], threading.Lock()

    def run(n):
        try:
            barrier.wait(30)
            outcome = work(n)
            with lock:
                results.append(outcome)
        except Exception as exc:  # noqa: BLE001 (collected and asserted by the caller)
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert not any(worker.is_alive() for worker in workers)
    return results, errors


def place(budget, item, *, quantity: int = 1, request_key=None):
    return services.order_place(budget=budget, price_item=item, quantity=quantity, order_date=ORDER_DAY,
                                service_start=ORDER_DAY, service_end=ORDER_DAY + datetime.timedelta(days=7),
                                request_key=request_key, today=ORDER_DAY)  # placed on the order date, when
    # no earlier order's proof is overdue yet (the proof deadline control would refuse them on TODAY)


def attempts(budget, item, quantities):
    """Place one order per quantity, in turn; returns the placed orders' amounts and the refusals."""
    placed, refused = [], []
    for quantity in quantities:
        try:
            placed.append(place(budget, item, quantity=quantity).amount)
        except services.BudgetRefused as refusal:
            refused.append((refusal.code, quantity * item.unit_price))
    return placed, refused


def live_total(budget) -> int:
    return budget.orders.exclude(status=OrderStatus.CANCELLED).aggregate(s=Sum("amount"))["s"] or 0


@pytest.fixture
def price():
    return approved_price(listed_eligible_outlet(), unit_price=10_000_000)


@pytest.mark.parametrize("amount", [1_000_000_000, 995_000_000], ids=["multiple", "not-a-multiple"])
def test_racing_orders_that_together_exceed_the_budget_never_overspend(price, amount):
    """16 threads × 12 orders of Rp 10 million against one budget, three rounds: exactly what fits
    succeeds (100 of 192, or 99 when Rp 5 million is left over), every other order is refused as over
    budget, and the budget's figure is the sum of its orders."""
    for round_number in range(3):
        budget = make_budget(make_agency(), amount=amount)
        results, errors = race(lambda n, budget=budget: attempts(budget, price, [1] * 12))
        assert errors == []
        placed = [a for ok, _refused in results for a in ok]
        refused = [r for _ok, no in results for r in no]
        budget.refresh_from_db()
        fits = amount // price.unit_price
        assert len(placed) == fits == budget.orders.count(), round_number
        assert len(refused) == THREADS * 12 - fits
        assert {code for code, _amount in refused} == {"over_budget"}
        assert budget.ordered_amount == sum(placed) == live_total(budget) <= budget.current_amount
        assert budget.remaining_amount < price.unit_price


def test_racing_orders_of_different_sizes_stop_exactly_where_the_next_one_would_not_fit(price):
    """Orders of 1 to 7 units: the budget is never exceeded, and every refused order would still not fit
    in what is left at the end (orders only ever add to what is ordered here)."""
    for _round in range(3):
        budget = make_budget(make_agency(), amount=1_234_000_000)
        results, errors = race(lambda n, budget=budget: attempts(budget, price, [1 + (n + i) % 7 for i in range(10)]))
        assert errors == []
        budget.refresh_from_db()
        refused = [r for _ok, no in results for r in no]
        assert budget.ordered_amount == live_total(budget) == sum(a for ok, _no in results for a in ok)
        assert budget.ordered_amount <= budget.current_amount
        assert refused and {code for code, _amount in refused} == {"over_budget"}
        assert min(amount for _code, amount in refused) > budget.remaining_amount


def test_cancelling_while_others_order_keeps_the_books_exact(price):
    """Half the threads cancel orders placed earlier while the others place new ones: the budget's figure
    stays the sum of the live orders and within the budget."""
    budget = make_budget(make_agency(), amount=500_000_000)
    earlier = [place(budget, price) for _ in range(40)]  # Rp 400 million of Rp 500 million

    def work(n):
        if n % 2:
            for order in earlier[n // 2 * 5:n // 2 * 5 + 5]:
                services.order_cancel(order, reason="Acara batal", today=TODAY)
            return [], []
        return attempts(budget, price, [1] * 6)

    results, errors = race(work)
    assert errors == []
    budget.refresh_from_db()
    assert MediaOrder.objects.filter(budget=budget, status=OrderStatus.CANCELLED).count() == 40
    assert budget.ordered_amount == live_total(budget) <= budget.current_amount
    placed = sum(len(ok) for ok, _no in results)
    assert budget.ordered_amount == placed * price.unit_price


def test_a_revision_racing_orders_never_takes_the_budget_below_them(price):
    """One thread cuts the budget while the others order: either the cut comes first and the orders fit
    the smaller budget, or it is refused as below what is ordered; never an overspent budget."""
    for _round in range(3):
        budget = make_budget(make_agency(), amount=1_000_000_000)

        def work(n, budget=budget):
            if n == 0:
                try:
                    return services.budget_revise(budget, amount_after=300_000_000, reason="refocusing",
                                                  reference="SKB uji", revised_on=ORDER_DAY)
                except services.BudgetRefused as refusal:
                    return refusal.code
            return attempts(budget, price, [2] * 5)

        results, errors = race(work)
        assert errors == []
        budget.refresh_from_db()
        assert budget.ordered_amount == live_total(budget) <= budget.current_amount
        revision = next(r for r in results if not isinstance(r, tuple))
        if revision == "below_committed":
            assert budget.current_amount == 1_000_000_000 and budget.ordered_amount > 300_000_000
        else:
            assert budget.current_amount == 300_000_000


def test_the_same_request_sent_from_many_threads_at_once_is_one_order(price):
    """A double click or a retried request: the same request key from 16 threads at the same moment
    places one order, counted once in the budget, and every thread gets that order back."""
    for _round in range(3):
        budget = make_budget(make_agency(), amount=1_000_000_000)
        key = uuid.uuid4()
        results, errors = race(lambda n, budget=budget, key=key: place(budget, price, quantity=3, request_key=key).pk)
        assert errors == []
        order = MediaOrder.objects.get(request_key=key)
        assert results == [order.pk] * THREADS
        assert Budget.objects.get(pk=budget.pk).ordered_amount == order.amount == 30_000_000
        assert budget.orders.count() == 1
