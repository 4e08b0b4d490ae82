"""Bot API methods that deliver updates: long polling and the webhook switch."""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import urlsplit

from .api_types import Handler
from .errors import ApiError, bad_request
from .models import Json
from .params import Params
from .state import World

MAX_LIMIT = 100


async def get_updates(world: World, params: Params) -> list[Json]:
    if world.webhook is not None:
        raise ApiError(
            HTTPStatus.CONFLICT,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    queue = world.updates
    offset = params.integer("offset")
    if offset:
        queue.confirm(offset)
    limit = min(max(params.integer("limit") or MAX_LIMIT, 1), MAX_LIMIT)
    timeout = max(params.number("timeout") or 0.0, 0.0)
    queue.set_allowed(_allowed_updates(params))
    poll = queue.begin_poll()
    # Wakes an older getUpdates still waiting, so it can answer with a conflict, and
    # anyone waiting for the bot to have consumed its updates.
    world.changes.notify()
    if timeout:
        await world.changes.wait(
            lambda: len(queue) > 0 or queue.poll != poll or world.stopping, timeout
        )
    if queue.poll != poll:
        raise ApiError(
            HTTPStatus.CONFLICT,
            "Conflict: terminated by other getUpdates request; "
            "make sure that only one bot instance is running",
        )
    return queue.take(limit)


def _allowed_updates(params: Params) -> list[str] | None:
    allowed = params.json("allowed_updates")
    if allowed is not None and (
        not isinstance(allowed, list) or not all(isinstance(kind, str) for kind in allowed)
    ):
        raise bad_request("can't parse allowed_updates JSON object")
    return allowed


async def set_webhook(world: World, params: Params) -> bool:
    url = params.text("url") or ""
    # Telegram demands HTTPS; the fake also lets tests use plain HTTP on loopback.
    if url and not url.startswith(("https://", "http://127.0.0.1:")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    port = urlsplit(url).port if url.startswith("https://") else None
    if port is not None and port not in (80, 88, 443, 8443):
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    if params.flag("drop_pending_updates"):
        world.updates.drop_all()
    world.updates.set_allowed(_allowed_updates(params))
    # WebhookPusher (webhook.py) calls it with the pending updates.
    world.webhook = dict(params.values, url=url) if url else None
    world.changes.notify()
    return True


async def delete_webhook(world: World, params: Params) -> bool:
    if params.flag("drop_pending_updates"):
        world.updates.drop_all()
    world.webhook = None
    world.changes.notify()
    return True


async def get_webhook_info(world: World, params: Params) -> Json:
    info: Json = {
        "url": world.webhook["url"] if world.webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(world.updates),
    }
    if world.webhook and "max_connections" in world.webhook:
        info["max_connections"] = world.webhook["max_connections"]
    return info


METHODS: dict[str, Handler] = {
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
}
