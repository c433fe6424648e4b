"""The one scan job: whatever starts a scan (the CLI, the Scan dialog's task, the Processing
algorithm), it is put together here, so a scan from any front end writes the same file.

A :class:`ScanRequest` says what to scan (an open chip source, the region, the output), with
what (a :class:`PredictorSpec`: a model folder in this process, the local model server, or a
TF Serving endpoint over REST or gRPC) and how (threshold, batch size, resume, shard, the
schools already known, the buildings). The job reads the model card, checks the request, asks
whether the model folder is trusted (loading a SavedModel runs its code), writes the scan's
settings into the results file (the review panel reads the imagery and chip size from there),
runs the scanner and closes everything it opened. The front ends only collect inputs.

What makes the output worth a mapper's time happens here too: tiles without a building are
never fetched (``uninhabited``), each candidate's point is where the model places the school,
candidates on a known school (the list given, and the schools the model was trained on) are
set aside (``known``), and candidates whose point falls outside the region's polygons are left
out of the review (their scores are kept).

One results file holds one scan: resuming into a file is refused when its record names another
model, chip geometry or imagery; a lower threshold on resume first brings the file's earlier
tiles down to it (the candidates' floor stays true); every run ends by judging the kept points
again against all the regions scanned into the file and the known list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.chip_plan import ChipGeometry
from ..core.cover import Polygon, estimate_cover, polygons_bounds
from ..core.distances import KNOWN_DISTANCE_M
from ..core.errors import InputError, JobCancelled, OtherScanError, SchoolDetectorError
from ..core.model_card import ModelCard
from ..core.places import KnownSchools, Region
from ..core.progress import Reporter
from ..core.results import SkipReason
from ..core.tiles import Bounds, Tile
from .buildings import Buildings, BuildingsSource
from .known import combine, read_known
from .region import clip_to_extent, extent_polygon, imagery_name
from .scanner import ScanSettings, scan
from .store import PlaceRules, ResultStore, is_results_file, read_info, record_differences, scored_tiles

#: in-process model (the runtime), the plugin's local model server, TF Serving REST, TF Serving gRPC
PREDICTOR_KINDS = ("model", "local", "rest", "grpc")


def _always(_: Path) -> bool:
    return True


@dataclass
class PredictorSpec:
    """Where scores come from. ``model_dir`` is the model folder (its card sets zoom, chip size
    and threshold); it is required for "model" and "local" and optional for the endpoints."""

    kind: str
    model_dir: Path | None = None
    url: str = ""  # REST base URL, or HOST:PORT for gRPC
    name: str | None = None  # served model name (default: the card's)
    version: int | None = None
    label: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    verify_tls: bool = True
    grpc_tls: bool = False
    timeout: float = 60.0
    concurrency: int = 4
    python: Path | None = None  # "local": the ML runtime's Python that serves the model
    backend: str = "auto"  # "model" and "local": auto, onnx or tensorflow (inference.backend)

    def __post_init__(self) -> None:
        if self.kind not in PREDICTOR_KINDS:
            raise InputError(f"Unknown predictor {self.kind!r}; use one of {', '.join(PREDICTOR_KINDS)}.")
        if self.kind in ("model", "local"):
            self.model_folder()
        if self.kind == "local" and self.python is None:
            raise InputError("The ML runtime is not set up: open Settings… and click 'Set up ML runtime…'.")

    def model_folder(self) -> Path:
        """The model folder ("model" and "local" need one: checked when the spec is made)."""
        if self.model_dir is None:
            raise InputError("Choose a model folder (its card says how to cut chips).")
        return self.model_dir


@dataclass
class ScanRequest:
    source: Any  # an open ChipSource; the job closes it
    out: Path
    predictor: PredictorSpec
    polygons: list[Polygon] | None = None  # EPSG:3857; None: the imagery's extent
    region: str = "imagery extent"  # how the region was given, for the scan's record
    threshold: float | None = None  # None: the card's (0.5 without a card)
    zoom: int | None = None  # without a model card: the model's zoom (default 18)
    supertile: bool = False  # without a model card
    batch_size: int = 32
    workers: int = 4
    min_valid: float = 0.5
    shard: tuple[int, int] = (0, 1)
    resume: bool = False
    #: a model folder may be loaded only when this says so (a SavedModel runs its own code)
    trusted: Callable[[Path], bool] = _always
    known: KnownSchools | None = None  # candidates on these are set aside as "known"
    #: the schools the model was trained on (its card's dataset, when it is on this computer) are known too
    training_schools: bool = True
    buildings: BuildingsSource | None = None  # tiles without a building are not scanned
    #: an existing ``out`` is replaced (Processing: QGIS asked "replace?" already); else resume or refuse
    overwrite: bool = False


def in_process_predictor(model_dir: Path, backend: str = "auto") -> Any:
    """The model in this process, on the engine inference.backend picks (ONNX Runtime or TF)."""
    from ..inference.backend import ONNX, choose_backend

    if choose_backend(ModelCard.read(model_dir), model_dir, backend) == ONNX:
        from ..inference.predictor import OnnxPredictor

        return OnnxPredictor(model_dir)
    from ..ml.predictor import SavedModelPredictor

    return SavedModelPredictor(model_dir)


class ScanJob:
    def __init__(self, request: ScanRequest, server: Any = None) -> None:
        """``server``: the plugin's LocalServer, reused across scans ("local" only); without
        one, the job starts its own and stops it when done."""
        self.request = request
        self.server = server
        spec = request.predictor
        self.notes: list[str] = []  # what the mapper should know about this scan's inputs
        try:
            self.card = ModelCard.read(spec.model_dir) if spec.model_dir is not None else None
            self.settings = self._settings()
            self.known = self._known()
        except BaseException:
            request.source.close()
            raise

    def _known(self) -> KnownSchools | None:
        """The known schools given, and the schools the model was trained on: a candidate on a
        school its training data holds is no news. Said when that data is not on this computer."""
        r, card = self.request, self.card
        if not r.training_schools or card is None or not card.dataset_dir:
            return r.known
        folder = Path(card.dataset_dir)
        if not (folder / "manifest.csv").is_file():
            self.notes.append(
                f"The model's training data ({folder}) is not on this computer: the schools it was trained on are "
                "not set aside as known (give them as known schools)."
            )
            return r.known
        return combine(r.known, read_known(folder, distance_m=r.known.distance_m if r.known else KNOWN_DISTANCE_M))

    # -- checks ---------------------------------------------------------------------------
    def _settings(self) -> ScanSettings:
        r, card = self.request, self.card
        if card is not None and r.zoom and r.zoom != card.zoom:
            raise InputError(
                f"The model was trained on zoom {card.zoom} tiles; --zoom {r.zoom} would feed it imagery at "
                "another scale."
            )
        threshold = r.threshold if r.threshold is not None else (card.threshold if card else 0.5)
        if not 0.0 <= threshold <= 1.0:
            raise InputError(f"The threshold must be between 0 and 1, not {threshold}.")
        return ScanSettings(
            geometry=card.geometry if card else ChipGeometry(zoom=r.zoom or 18, supertile=r.supertile),
            threshold=threshold,
            batch_size=r.batch_size,
            workers=r.workers,
            min_valid=r.min_valid,
            shard=r.shard,
        )

    def check(self) -> None:
        """What can be refused before anything starts (the dialog calls it before its task)."""
        r = self.request
        if r.out.exists() and not r.overwrite:
            if not r.resume:
                raise InputError(
                    f"{r.out} exists. Continue that scan with Resume (--resume on the command line), or choose a "
                    "new file."
                )
            self.check_resume()
        spec = r.predictor
        if spec.kind in ("model", "local") and spec.model_dir is not None and not r.trusted(spec.model_dir):
            raise InputError(
                f"Not started: the model folder {spec.model_dir} is not trusted. Loading a model runs its code; "
                "confirm it once in Scan region… (or tick 'Trust this model folder' in Processing)."
            )
        if spec.kind in ("rest", "grpc") and not self.model_name:
            raise InputError("Give the served model's name (or a model folder for its card).")

    def check_resume(self) -> None:
        """Resume only the same scan: the file's record must name this model, chip geometry and
        imagery (the threshold may differ: the floor is kept true, see run)."""
        out = self.request.out
        if not is_results_file(out):
            raise InputError(
                f"{out.name} is not the results file of a school_detector scan: nothing to resume. Choose a new "
                "results file."
            )
        earlier = read_info(out)
        if not earlier:
            if scored_tiles(out):
                raise InputError(
                    f"{out.name} has no record of the scan it holds (an older version's file?): this scan can't be "
                    "checked against it. Choose a new results file."
                )
            return  # an empty results file: this scan starts it
        differs = record_differences(earlier, self.info())
        if differs:
            raise OtherScanError(
                f"{out.name} holds another scan: " + "; ".join(differs) + ". One file holds one scan (its scores "
                "would not be comparable): choose a new results file, or resume with that scan's settings."
            )

    @property
    def model_name(self) -> str | None:
        return self.request.predictor.name or (self.card.name if self.card else None)

    @property
    def model_id(self) -> str:
        spec = self.request.predictor
        if spec.kind in ("model", "local") and self.card is not None:
            return self.card.model_id
        return f"{self.model_name}:{spec.version or spec.label or 'latest'}"

    def polygons(self) -> list[Polygon]:
        """The region, clipped to the imagery's extent when the imagery has one: a map zoomed
        out over a continent plans only the tiles that have imagery."""
        extent = self.request.source.extent_3857()
        if self.request.polygons is None:
            if extent is None:
                raise InputError("Web imagery (XYZ, WMS) has no extent to scan: give a region (a bbox or polygons).")
            return extent_polygon(extent)
        return clip_to_extent(self.request.polygons, extent, imagery_name(self.request.source.describe()))

    # -- the predictor ----------------------------------------------------------------------
    def open_predictor(self) -> Any:
        spec = self.request.predictor
        if spec.kind == "model":
            return in_process_predictor(spec.model_folder(), spec.backend)
        if spec.kind == "grpc":
            from ..serving.client import Endpoint
            from ..serving.grpc_client import GrpcPredictor

            return GrpcPredictor(
                spec.url,
                Endpoint("", str(self.model_name), spec.version, spec.label),
                metadata=spec.headers,
                tls=spec.grpc_tls,
                timeout=spec.timeout,
                concurrency=spec.concurrency,
            )
        from ..serving.client import Endpoint, ServingClient
        from ..serving.predictor import RestPredictor

        url, runs_on = spec.url, ""
        if spec.kind == "local":
            server = self._local_server()
            url, runs_on = server.ensure(spec.python, spec.model_dir, spec.backend), server.runs_on
        client = ServingClient(
            Endpoint(url, str(self.model_name), spec.version, spec.label),
            headers=spec.headers,
            timeout=spec.timeout,
            verify_tls=spec.verify_tls,
        )
        return RestPredictor(client, spec.concurrency, runs_on)

    def _local_server(self) -> Any:
        if self.server is None:
            from ..runtime.local_server import LocalServer

            self.server = LocalServer()
            self._owns_server = True
        return self.server

    _owns_server = False

    # -- the run ----------------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        """The scan's record in the results file: what the review panel and exports read back."""
        r, s = self.request, self.settings
        return {
            "model": self.model_id,
            "imagery": r.source.describe(),
            **s.geometry.record(),
            "threshold": s.threshold,
            "shard": f"{s.shard[0]}/{s.shard[1]}",
            "region": r.region,
            "predictor": r.predictor.kind,
            "known_schools": None
            if self.known is None
            else {"count": len(self.known), "distance_m": self.known.distance_m},
            "buildings": None if r.buildings is None else (r.buildings.name or str(r.buildings.path or "")),
        }

    def buildings(self, polygons: list[Polygon]) -> Buildings | None:
        if self.request.buildings is None:
            return None
        if not hasattr(self, "_buildings"):
            self._buildings = self.request.buildings.load(self.settings.key_zoom, polygons)
        return self._buildings

    def plan(self) -> dict[str, Any]:
        """What the scan will cover, before it starts: tiles, and those with a building. A region
        whose box holds more than EXACT_COUNT_LIMIT tiles is not counted here (the dialog asks
        on the GUI thread): its box's count stands as an upper bound (``exact`` False) and the
        scan counts it as it starts."""
        polygons = self.polygons()
        tiles, exact = estimate_cover(polygons, self.settings.key_zoom)
        if not exact:
            return {"tiles": tiles, "inhabited": tiles, "exact": False}
        buildings = self.buildings(polygons)
        inhabited = tiles if buildings is None else sum(1 for t in buildings.tiles_in(polygons))
        return {"tiles": tiles, "inhabited": inhabited, "exact": True}

    def warnings(self, polygons: list[Polygon]) -> list[str]:
        """Inputs that cover nothing of the region: said, not refused (a scan still runs)."""
        box = polygons_bounds(polygons)
        said = list(self.notes)
        known = self.request.known  # the list given (the training schools lie where the model was trained)
        if known is not None and not _meets(known.extent(), box):
            said.append("None of the known schools lies in the region: no candidate will be set aside as known.")
        buildings = self.buildings(polygons)
        if buildings is not None and not any(True for _ in buildings.tiles_in(polygons)):
            said.append(
                "The buildings layer has no building in the region: every tile will be skipped as uninhabited. "
                "Is it the right layer (and CRS) for this area?"
            )
        return said

    def run(self, reporter: Reporter | None = None, cancelled: Callable[[], bool] = lambda: False) -> dict[str, Any]:
        """Scan, writing batch by batch; returns the scan's summary (with its warnings: they
        must still be there when the mapper reads the result). Closes the source, the results
        file and (when it started one) the local server, whatever happens."""
        reporter = reporter or Reporter("text")
        store = predictor = None
        try:
            self.check()
            polygons = self.polygons()
            warnings = self.warnings(polygons)
            for warning in warnings:
                reporter.log(warning, "warning")
            buildings = self.buildings(polygons)
            predictor = self.open_predictor()
            if self.request.overwrite:
                _remove(self.request.out)
            store = ResultStore(self.request.out, self.model_id, self.settings.threshold)
            known = self._known_to(store)
            store.places = PlaceRules(known, Region(polygons))
            self._keep_the_floor(store, known, reporter)
            store.add_region(polygons, self.request.region)
            from ..imagery.png import png_bytes

            try:
                result = scan(
                    self.request.source,
                    predictor,
                    store,
                    polygons,
                    self.settings,
                    reporter,
                    cancelled,
                    encode=png_bytes,
                    resume=self.request.resume,
                    skip=None if buildings is None else _uninhabited(buildings),
                )
            except SchoolDetectorError as exc:
                raise _with_what_is_kept(exc, store) from exc
            store.reconcile(known)
            return {**result, **store.review_counts(), "warnings": warnings}
        finally:
            if store is not None:
                store.close()
            close = getattr(predictor, "close", None)
            if close is not None:
                close()
            self.request.source.close()
            if self._owns_server and self.server is not None:
                self.server.stop()

    def _known_to(self, store: ResultStore) -> KnownSchools | None:
        """This run's known schools join those the file already keeps (a resume without the
        list, or with another, loses none of them); the points are judged against them all."""
        if self.known is not None:
            store.add_known(self.known)
        earlier = (store.info().get("known_schools") or {}).get("distance_m")
        distance = self.known.distance_m if self.known is not None else float(earlier or KNOWN_DISTANCE_M)
        return store.known_schools(distance)

    def _keep_the_floor(self, store: ResultStore, known: KnownSchools | None, reporter: Reporter) -> None:
        """The file's record for this run. A resume with a lower threshold first makes the
        earlier tiles' candidates down to it from their kept scores; with a higher one, new
        tiles keep the file's lower floor: either way every tile has its candidates down to the
        same score (the floor the review panel's slider relies on)."""
        earlier = store.info()
        fresh = not store.counts()["tiles"]
        threshold = self.settings.threshold
        if earlier and threshold < store.candidate_floor():
            added = store.lower_threshold(threshold)
            reporter.log(f"The earlier tiles' candidates now go down to {threshold:g} too ({added} added).")
        elif earlier and store.threshold < threshold:
            reporter.log(
                f"{self.request.out.name} holds candidates down to {store.threshold:g}: the new tiles keep that floor "
                f"(the review panel's slider starts at {threshold:g})."
            )
        record = {**self.info(), "candidate_floor": store.threshold}
        record["known_schools"] = None if known is None else {"count": len(known), "distance_m": known.distance_m}
        if fresh:  # the points are judged against this list as they come: nothing to judge again
            record["known_fingerprint"] = known.fingerprint() if known is not None else None
        store.set_info(record)


def _with_what_is_kept(exc: SchoolDetectorError, store: ResultStore) -> SchoolDetectorError:
    """A scan that stopped says what it kept, only when it kept something."""
    tiles = store.counts()["tiles"]
    if tiles and "Resume" not in exc.message and not isinstance(exc, JobCancelled):
        exc.message += f" The {tiles:,} tiles done so far are in {store.path.name}: scan again with Resume to go on."
    return exc


def _remove(path: Path) -> None:
    """A results file to replace, with SQLite's side files."""
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            part.unlink(missing_ok=True)
        except OSError as exc:
            raise InputError(
                f"Could not replace {path}: {exc.strerror or exc}. Is it open in QGIS or another program? Remove its "
                "layers, or choose another results file."
            ) from exc


def _uninhabited(buildings: Buildings) -> Callable[[Tile], str | None]:
    def skip(tile: Tile) -> str | None:
        return None if buildings.inhabited(tile) else SkipReason.UNINHABITED.value

    return skip


def _meets(a: Bounds | None, b: Bounds) -> bool:
    return a is not None and a.west <= b.east and a.east >= b.west and a.south <= b.north and a.north >= b.south
