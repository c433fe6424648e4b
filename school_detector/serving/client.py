"""TF Serving REST client: metadata discovery, signature checks, b64 batches, retries.

Retries (with exponential backoff) on connection errors, timeouts, 429 and 5xx; never on
other 4xx, which mean the request itself is wrong. A response whose prediction count differs
from the batch is an error: a wrong score is never attributed to a tile.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from typing import Any

from ..core.errors import SchoolDetectorError
from ..core.results import Prediction
from ..core.signatures import INPUT_BYTES, LOCATE, LOCATION, OUTPUT

RETRY_STATUS = {429, 500, 502, 503, 504}


class ServingError(SchoolDetectorError):
    """The serving endpoint failed or answered something we cannot use."""


@dataclass
class Endpoint:
    url: str  # e.g. http://127.0.0.1:8501
    model: str
    version: int | None = None
    label: str | None = None
    signature: str = "serving_default"

    @property
    def model_url(self) -> str:
        base = f"{self.url.rstrip('/')}/v1/models/{self.model}"
        if self.version is not None:
            return f"{base}/versions/{self.version}"
        if self.label:
            return f"{base}/labels/{self.label}"
        return base


def connection_trouble(exc: Exception, url: str, timeout: Any) -> str:
    """What went wrong reaching ``url``, in words: host, port and cause (not urllib3's repr)."""
    from urllib.parse import urlsplit

    import requests

    parts = urlsplit(url)
    where = f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
    text = str(exc).lower()
    if isinstance(exc, requests.Timeout):
        seconds = timeout[-1] if isinstance(timeout, tuple) else timeout
        return f"{where} did not answer within {seconds:g} s"
    if "refused" in text:
        return f"nothing answers at {where} (connection refused)"
    if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
        return f"the host name {parts.hostname} could not be resolved (a typo, or no network?)"
    if "reset" in text or "aborted" in text or isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return f"{where} closed the connection mid-answer"
    return f"{where} could not be reached ({type(exc).__name__})"


class ServingClient:
    def __init__(
        self,
        endpoint: Endpoint,
        headers: dict[str, str] | None = None,
        timeout: float = 60.0,
        connect_timeout: float = 5.0,
        retries: int = 3,
        backoff: float = 0.5,
        verify_tls: bool = True,
        pool: int = 8,
    ) -> None:
        import requests

        self.endpoint = endpoint
        self.timeout = (connect_timeout, timeout)
        self.retries = retries
        self.backoff = backoff
        self.verify_tls = verify_tls
        self.session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=pool, pool_maxsize=pool)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({"User-Agent": "school-detector", **(headers or {})})
        self.input_name = INPUT_BYTES
        self.locates = False  # the model also serves the school's place in each chip
        self.stats = {"requests": 0, "retries": 0}

    def _request(self, method: str, url: str, body: Any = None) -> Any:
        import requests

        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self.stats["retries"] += 1
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                self.stats["requests"] += 1
                if isinstance(body, bytes):
                    resp = self.session.request(
                        method,
                        url,
                        data=body,
                        headers={"Content-Type": "application/json"},
                        timeout=self.timeout,
                        verify=self.verify_tls,
                    )
                else:
                    resp = self.session.request(method, url, json=body, timeout=self.timeout, verify=self.verify_tls)
            except requests.exceptions.SSLError as exc:
                raise ServingError(
                    f"TLS verification failed for {self.endpoint.url}: {exc}. Fix the certificate "
                    "or, for a test server only, turn verification off."
                ) from exc
            except (
                requests.ConnectionError,
                requests.Timeout,
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError,
            ) as exc:  # transient: retry
                last = connection_trouble(exc, url, self.timeout)
                continue
            except requests.RequestException as exc:  # a bad URL and the like: retrying won't help
                raise ServingError(f"Cannot call the serving endpoint {self.endpoint.url}: {exc}") from exc
            if resp.status_code in RETRY_STATUS:
                last = f"HTTP {resp.status_code}: {self._error_text(resp)}"
                continue
            if resp.status_code >= 400:
                raise ServingError(self._explain(resp), details=resp.text[:2000])
            try:
                return resp.json()
            except ValueError as exc:
                last = f"malformed JSON from the server: {resp.text[:200]!r}"
                if attempt == self.retries:
                    raise ServingError(f"The serving endpoint answered {last}.") from exc
        raise ServingError(
            f"The serving endpoint {self.endpoint.url} failed after {self.retries + 1} tries: {last}. "
            "Is the server running and reachable from this computer?"
        )

    @staticmethod
    def _error_text(resp: Any) -> str:
        try:
            return str(resp.json().get("error", resp.text[:200]))
        except ValueError:
            return resp.text[:200]

    def _explain(self, resp: Any) -> str:
        msg = self._error_text(resp)
        if resp.status_code == 404:
            return (
                f"The serving endpoint has no model '{self.endpoint.model}'"
                + (f" version {self.endpoint.version}" if self.endpoint.version is not None else "")
                + (f" label '{self.endpoint.label}'" if self.endpoint.label else "")
                + f" ({msg})."
            )
        if resp.status_code in (401, 403):
            return f"The serving endpoint refused the request (HTTP {resp.status_code}): check the credentials."
        return f"The serving endpoint rejected the request (HTTP {resp.status_code}): {msg}"

    def status(self) -> dict[str, Any]:
        return dict(self._request("GET", self.endpoint.model_url))

    def metadata(self) -> dict[str, Any]:
        return dict(self._request("GET", self.endpoint.model_url + "/metadata"))

    def check_signature(self) -> str:
        """Find the encoded-image input of the signature, or say clearly why the model won't do."""
        meta = self.metadata()
        try:
            sigs = meta["metadata"]["signature_def"]["signature_def"]
        except (KeyError, TypeError) as exc:
            raise ServingError("The serving endpoint's metadata has no signature definitions.") from exc
        sig = sigs.get(self.endpoint.signature)
        if sig is None:
            raise ServingError(
                f"The served model has no signature '{self.endpoint.signature}'; it has "
                f"{', '.join(sorted(sigs)) or 'none'}."
            )
        inputs = sig.get("inputs", {})
        strings = [name for name, spec in inputs.items() if spec.get("dtype") == "DT_STRING"]
        if len(inputs) != 1 or not strings:
            desc = ", ".join(f"{n} ({s.get('dtype')})" for n, s in inputs.items())
            raise ServingError(
                f"The served model's signature takes {desc}; school_detector sends encoded image "
                "chips (one DT_STRING input). Export the model with school_detector, or serve one "
                "whose serving_default takes image bytes."
            )
        outputs = sig.get("outputs", {})
        if len(outputs) != 1 or next(iter(outputs.values())).get("dtype") not in ("DT_FLOAT", "DT_HALF", "DT_DOUBLE"):
            raise ServingError("The served model must return one float output (the school probability).")
        self.input_name = strings[0]
        locate = sigs.get(LOCATE) or {}
        self.locates = list(locate.get("inputs", {})) == [self.input_name] and {OUTPUT, LOCATION} <= set(
            locate.get("outputs", {})
        )
        return self.input_name

    def predict(self, images: list[bytes]) -> list[float]:
        """School probabilities of a batch (``serving_default``, or the endpoint's signature)."""
        return [_scalar(p) for p in self._predict(images, self.endpoint.signature)]

    def locate(self, images: list[bytes]) -> list[Prediction]:
        """Probabilities and where each school is in its chip (the ``locate`` signature)."""
        return [located(p) for p in self._predict(images, LOCATE)]

    def _predict(self, images: list[bytes], signature: str) -> list[Any]:
        if not images:
            return []
        # the JSON body by hand: json.dumps would scan every base64 byte for escapes (half the
        # client's CPU time on a fast server); base64 and the signature name need none
        body = b"".join(
            (
                b'{"signature_name": ',
                json.dumps(signature).encode(),
                b', "instances": [',
                b", ".join(b'{"b64": "' + base64.b64encode(b) + b'"}' for b in images),
                b"]}",
            )
        )
        answer = self._request("POST", self.endpoint.model_url + ":predict", body)
        preds = answer.get("predictions") if isinstance(answer, dict) else None
        if not isinstance(preds, list):
            raise ServingError(f"The serving endpoint answered without predictions: {str(answer)[:200]}")
        if len(preds) != len(images):
            raise ServingError(
                f"The serving endpoint returned {len(preds)} predictions for {len(images)} images; "
                "no score was written for this batch."
            )
        return preds

    def close(self) -> None:
        self.session.close()


def _scalar(value: Any) -> float:
    """A prediction may come as 0.93, [0.93] or {"school_probability": 0.93}."""
    while isinstance(value, (list, dict)):
        if isinstance(value, dict):
            if len(value) != 1:
                raise ServingError(f"Cannot read a school probability from {str(value)[:100]}.")
            value = next(iter(value.values()))
        else:
            if len(value) != 1:
                raise ServingError(f"Cannot read a school probability from {str(value)[:100]}.")
            value = value[0]
    score = float(value)
    if not 0.0 <= score <= 1.0 or score != score:
        raise ServingError(f"The served model returned {score}, not a probability between 0 and 1.")
    return score


def located(value: Any) -> Prediction:
    """A row of the locate signature: {"school_probability": p, "school_location": [x, y]}."""
    if not isinstance(value, dict) or OUTPUT not in value or LOCATION not in value:
        raise ServingError(f"The locate signature answered {str(value)[:100]}, not a probability and a location.")
    return Prediction(_scalar(value[OUTPUT]), *location(value[LOCATION]))


def location(value: Any) -> tuple[float, float]:
    """Where the school is in the chip: two fractions of its width and height."""
    try:
        fx, fy = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ServingError(f"Cannot read a location in the chip from {str(value)[:100]}.") from None
    if not (-0.01 <= fx <= 1.01 and -0.01 <= fy <= 1.01):
        raise ServingError(f"The served model placed a school at {fx:.3f}, {fy:.3f}: outside its chip.")
    return min(max(fx, 0.0), 1.0), min(max(fy, 0.0), 1.0)
