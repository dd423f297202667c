"""Fuzz the JSON API from its own OpenAPI document: no server error, no response off-schema.

Every documented operation gets valid and invalid inputs (bounded and deterministic), its
documented examples, and, for item paths, the ids of real items as well as random ones.
The operations are walked by hand: `schemathesis.pytest.from_fixture` does not work with
pytest 9 (it sets `Function._nodeid`).
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from tests.api_helpers import add_item
from tests.fixtures.lists.standin import serve_anilist

# Cases per operation and generation mode: bounded so a backend's run stays well under a
# minute on two cores, deterministic so a failure replays.
EXAMPLES = {GenerationMode.POSITIVE: 20, GenerationMode.NEGATIVE: 12}
# Schema-valid is not always acceptable (whether a URL belongs to a provider is beyond a JSON
# schema), and the token header we send replaces the one schemathesis mutates in negative
# cases, so those two acceptance checks would judge requests we did not send.
EXCLUDED_CHECKS = [positive_data_acceptance, negative_data_rejection]


def _with_item_ids(strategy, item_ids: list[str]):
    """Half of the cases aim at a real item instead of a random id."""
    def aim(pair):  # noqa: ANN001, ANN202
        case, item_id = pair
        if item_id is not None:
            case.path_parameters["item_id"] = item_id
        return case

    return st.tuples(strategy, st.sampled_from([*item_ids, None, None])).map(aim)


def _no_waiting(case):  # noqa: ANN001, ANN202
    """`?wait=N` would wait N seconds for a check no worker runs here: keep the run short."""
    try:
        if case.query and float(case.query.get("wait", 0)) > 0:
            case.query["wait"] = 0
    except (TypeError, ValueError):
        pass  # an invalid wait is answered at once
    return case


def _fuzz(strategy, headers: dict[str, str], examples: int) -> None:
    @given(case=strategy.map(_no_waiting))
    @settings(max_examples=examples, derandomize=True, deadline=None,
              database=None, suppress_health_check=list(HealthCheck))
    def run(case) -> None:
        case.call_and_validate(headers=headers, excluded_checks=EXCLUDED_CHECKS)

    run()


def test_api_conforms_to_its_document(app, api, on_fixture_site, httpserver):
    # The sites and AniList answer (locally): a search where every site failed, or an
    # AniList that cannot be reached, is a documented 503, which schemathesis counts as a
    # server error.
    serve_anilist(httpserver)
    app.config["ANILIST_API_URL"] = httpserver.url_for("/")
    item_ids = [add_item(api, n, genres=["Drama"], last_episode_downloaded=2.5)["id"]
                for n in range(3)]
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    headers = {"Authorization": f"Bearer {api.token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 13
    operations.sort(key=lambda op: op.method == "delete")  # the seeded items last long
    for operation in operations:
        strategies = [(operation.as_strategy(generation_mode=mode), count)
                      for mode, count in EXAMPLES.items()]
        strategies += [(s, 1) for s in schema.get_strategies_from_examples(operation)]
        for strategy, count in strategies:
            if "{item_id}" in operation.path:
                strategy = _with_item_ids(strategy, item_ids)
            _fuzz(strategy, headers, count)
