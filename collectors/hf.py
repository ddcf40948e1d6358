"""Hugging Face Hub collector: per library tag, how many models carry it and the downloads of the
top N, one snapshot per UTC day.

`GET <url>/api/models?filter=<tag>&sort=downloads&direction=-1&limit=1000` lists a library's models,
most downloaded first, 1,000 per page, with the next page in the `Link` header. The Hub reports
each model's downloads over the last 30 days (a rolling window) and keeps no history, so dltrends
snapshots once a day and the series grows from the first collect. The API has no total count:
the models are counted by reading the listing to its end, at most DLTRENDS_HF_MAX_PAGES pages; a
longer listing is recorded as "at least" that many models. The Hub tags a model with every framework
whose weights it ships, so one model can count for several libraries.

The payload is a digest, not the pages: the count, the sums over the top N (DLTRENDS_HF_TOP_N) and
over every model listed, and the top 25 models themselves. Landing 1,000 model records per library
per day would grow raw.items by hundreds of MB a year for sums computed the same way.
A token (HF_TOKEN) raises the Hub's rate limits; it is sent as a header and never stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from collectors.base import NO_INPUTS, Collector, Inputs, ItemState, RawItem, Stream, completed, utcnow
from collectors.common import decode_json, failed, make_client, secret, stop_if_unreachable
from collectors.http import HttpClient, HttpError, safe_url
from dltrends.settings import Settings

NAME = "hf"
# Item cursor: snapshot_date
LIBRARIES = Stream(name="libraries", table="core.hf_library_daily",
                   primary_key=("library", "snapshot_date"))
STREAMS = {LIBRARIES.name: LIBRARIES}
PAGE_SIZE = 1000  # the Hub's largest page
TOP_MODELS_KEPT = 25
MODEL_FIELDS = ("id", "downloads", "likes", "pipeline_tag", "library_name", "createdAt")


class HubCollector(Collector):
    """Reads each library's listing, most downloaded first; libraries in parallel."""

    name = NAME
    streams = STREAMS

    def __init__(self, client: HttpClient, top_n: int = 1000, max_pages: int = 300,
                 concurrency: int = 4, page_size: int = PAGE_SIZE):
        self.client = client
        self.top_n = top_n
        self.max_pages = max_pages
        self.concurrency = concurrency
        self.page_size = page_size

    @classmethod
    def from_settings(cls, settings: Settings, inputs: Inputs = NO_INPUTS) -> HubCollector:
        sleep = inputs.sleep
        token = secret(settings.hf_token)
        headers = {"Authorization": f"Bearer {token}"} if token else None
        client = make_client(settings, settings.hf_url, sleep, headers=headers, secrets=[token or ""])
        return cls(client, settings.hf_top_n, settings.hf_max_pages, min(settings.concurrency, 4))

    def fetch(self, stream: Stream, items: Iterable[str],
              state: Mapping[str, ItemState]) -> Iterator[RawItem]:
        """One RawItem per library; libraries already snapshotted today come back unchanged."""
        if stream is not LIBRARIES:
            raise ValueError(f"hf has no stream {stream.name!r}")
        yield from completed(lambda lib: self.fetch_one(lib, state.get(lib, ItemState())), items,
                             self.concurrency)

    def fetch_one(self, library: str, previous: ItemState) -> RawItem:
        now = utcnow()
        today = now.date().isoformat()
        item = RawItem(NAME, LIBRARIES.name, library, now, "unchanged", cursor=previous.cursor)
        if previous.cursor == today:
            return item
        try:
            digest = self._digest(library)
        except HttpError as exc:
            stop_if_unreachable(exc)
            return failed(item, str(exc))
        except ValueError as exc:
            return failed(item, str(exc))
        item.status, item.cursor = "new", today
        item.payload = {"library": library, "snapshot_date": today, **digest}
        return item

    def _digest(self, library: str) -> dict[str, Any]:
        """Page through the listing: count, sums and the top models."""
        params = {"filter": library, "sort": "downloads", "direction": "-1", "limit": self.page_size}
        count = pages = listed_downloads = 0
        top: list[dict[str, Any]] = []
        complete = False
        for response in self.client.paginate("/api/models", params=params):
            models = decode_json(response)
            if not isinstance(models, list):
                raise ValueError("unexpected JSON shape (not a list of models) from "
                                 f"{safe_url(response.url)}")
            pages += 1
            count += len(models)
            listed_downloads += sum(_int(m.get("downloads")) for m in models if isinstance(m, dict))
            top.extend(_trim(m) for m in models[: max(0, self.top_n - len(top))])
            if not response.links.get("next"):
                complete = True
                break
            if pages >= self.max_pages:
                break
        return {
            "top_n": self.top_n,
            "models_count": count,
            "models_count_complete": complete,
            "pages": pages,
            "top_n_models": len(top),
            "top_n_downloads": sum(m["downloads"] for m in top),
            "top_n_likes": sum(m["likes"] or 0 for m in top),
            "listed_downloads": listed_downloads,
            "top_models": top[:TOP_MODELS_KEPT],
        }


def _trim(model: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(model, dict) or not model.get("id"):
        raise ValueError(f"a listed model has no id: {str(model)[:200]}")
    out = {k: model.get(k) for k in MODEL_FIELDS}
    out["downloads"] = _int(model.get("downloads"))
    out["likes"] = _int(model.get("likes")) if model.get("likes") is not None else None
    return out


def _int(value: Any) -> int:
    return value if isinstance(value, int) and value >= 0 else 0
