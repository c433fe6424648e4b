"""Scan a region from QGIS: chips rendered from any QGIS raster layer, scored through the
TF Serving REST API (the local server or a remote TF Serving), written to the results
GeoPackage batch by batch. Progress shows tiles/s and ETA in the task manager."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from qgis.core import QgsRasterLayer

from ..core.cover import Polygon
from ..core.errors import InputError
from ..imagery.png import png_bytes
from ..qgis_io.layer_source import QgisLayerSource
from ..scan.scanner import ScanSettings, scan
from ..scan.store import ResultStore
from ..serving.client import Endpoint, ServingClient
from ..serving.predictor import RestPredictor
from .in_process import InProcessTask
from .local_server import LocalServer


@dataclass
class ScanParams:
    polygons: list[Polygon]
    imagery: QgsRasterLayer  # a clone, owned by the task
    out: Path
    settings: ScanSettings
    model_id: str
    # local: the runtime serves model_dir; remote: endpoint (+ headers from the auth manager)
    model_dir: Path | None = None
    python: Path | None = None
    endpoint: Endpoint | None = None
    headers: dict[str, str] = field(default_factory=dict)
    verify_tls: bool = True
    resume: bool = True
    concurrency: int = 4


class ScanTask(InProcessTask):
    def __init__(self, params: ScanParams, server: LocalServer | None = None) -> None:
        super().__init__("Scan for schools", "tiles")
        self.params = params
        self.server = server

    def finished(self, result: bool) -> None:
        self.params.imagery = None  # type: ignore[assignment]  # release the clone on the main thread

    def run(self) -> bool:
        store = None
        try:
            p = self.params
            if p.endpoint is None:
                if self.server is None or p.model_dir is None or p.python is None:
                    raise InputError("No model: choose a model folder or a TF Serving endpoint.")
                url = self.server.ensure(p.python, p.model_dir)
                endpoint = Endpoint(url, p.model_id.split(":")[0])
            else:
                endpoint = p.endpoint
            client = ServingClient(endpoint, headers=p.headers, verify_tls=p.verify_tls)
            predictor = RestPredictor(client, p.concurrency)
            store = ResultStore(p.out, p.model_id, p.settings.threshold)
            store.set_info(
                {
                    "model": p.model_id,
                    "zoom": p.settings.zoom,
                    "supertile": p.settings.supertile,
                    "threshold": p.settings.threshold,
                    "imagery": QgisLayerSource(p.imagery).describe(),
                }
            )
            self.result_data = scan(
                QgisLayerSource(p.imagery),
                predictor,
                store,
                p.polygons,
                p.settings,
                self.reporter(),
                cancelled=self.isCanceled,
                encode=png_bytes,
                resume=p.resume,
            )
            return True
        except Exception as exc:  # noqa: BLE001 - stored, never raised out of run()
            self.capture(exc, "The scan")
        finally:
            if store is not None:
                store.close()
        return False
