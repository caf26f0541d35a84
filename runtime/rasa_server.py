"""The `rasa` command with the project's fixes to Rasa 3.6 hot paths applied first.

`tools.stack` starts the Rasa server through this module instead of the `rasa` script.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import aiohttp
from jsonschema import ValidationError, validators
from jsonschema.protocols import Validator
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

from complaint_desk.stores.database import use_sqlite_wal_everywhere
from runtime import (
    action_call_body,
    frozen_model_objects,
    indexed_tracker_store,
    policy_states,
    tracker_replay,
    waiting_receipts,
)
from runtime.rasa_version import require_pinned_rasa


@cache
def _action_response_validator() -> Validator:
    # Rasa calls jsonschema.validate() per custom-action response, which re-checks the schema
    # against the meta-schema every time (~40% of a turn's CPU, see bench/). Check it once.
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)  # the class jsonschema.validate() would pick
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    try:
        _action_response_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise


def _endpoint_session(self: EndpointConfig) -> aiohttp.ClientSession:
    # EndpointConfig.session of Rasa 3.6.21, with the JSON encoder set: each custom-action call sends the whole
    # tracker, and aiohttp's default json.dumps was most of a call's CPU in a long conversation. The encoder
    # takes a call's body as runtime/action_call_body.py made it, and anything else with ujson.
    auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
    return aiohttp.ClientSession(headers=self.headers, auth=auth,
                                 timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                                 json_serialize=action_call_body.dumps)


def apply_fixes() -> None:
    require_pinned_rasa()
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    EndpointConfig.session = _endpoint_session  # type: ignore[method-assign]
    waiting_receipts.install()
    tracker_replay.install()
    policy_states.install()
    action_call_body.install()
    frozen_model_objects.install()
    indexed_tracker_store.install()
    # Development's SQLite tracker store: WAL instead of a rollback journal synced on every commit.
    use_sqlite_wal_everywhere()


def main() -> None:
    from rasa.__main__ import main as rasa_main

    apply_fixes()
    rasa_main()


if __name__ == "__main__":
    main()
