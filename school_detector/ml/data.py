"""tf.data input pipeline from a chip dataset folder.

Images are checked once up front (a corrupt PNG must be skipped and counted, not kill an
epoch an hour in), decoded and resized in parallel, cached in memory when they fit, and
augmented for overhead imagery: flips, 90° rotations, brightness and contrast jitter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.chip_plan import CLASSES, SCHOOL
from ..core.errors import InputError
from ..dataset.builder import read_dataset_folder

#: Cache decoded images in memory below this many bytes (else re-read from disk each epoch).
CACHE_LIMIT_BYTES = 2 * 1024**3


@dataclass
class Split:
    files: list[str] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        pos = sum(self.labels)
        return {SCHOOL: pos, "not-school": len(self.labels) - pos}


def _readable(path: Path) -> bool:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            im.verify()
        with Image.open(path) as im:
            im.load()  # verify() misses truncated pixel data
        return True
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False


def collect(folder: Path, need: tuple[str, ...] = ("train", "valid")) -> tuple[dict[str, Split], list[str]]:
    """Files and labels per split, plus the corrupt files skipped. Checks every split in
    ``need`` has both classes, with messages that say which folder is the problem."""
    found = read_dataset_folder(folder)
    splits: dict[str, Split] = {}
    corrupt: list[str] = []
    for name, classes in found.items():
        split = Split()
        for cls in CLASSES:
            for path in classes.get(cls, []):
                if _readable(path):
                    split.files.append(str(path))
                    split.labels.append(1 if cls == SCHOOL else 0)
                else:
                    corrupt.append(str(path))
        splits[name] = split
    for name in need:
        if name not in splits:
            raise InputError(
                f"{folder} has no {name}/ folder; a dataset needs train/ and valid/ (and test/ to "
                "evaluate). Build one with 'Build training data…'."
            )
        counts = splits[name].counts()
        empty = [c for c, n in counts.items() if n == 0]
        if len(empty) == 2:
            raise InputError(f"{folder / name} has no readable images.")
        if empty:
            raise InputError(
                f"{folder / name}/{empty[0]}/ is empty: training needs both classes in every split "
                f"(it has only {next(c for c in counts if counts[c])})."
            )
    return splits, corrupt


def class_weights(split: Split) -> dict[int, float]:
    """Inverse-frequency weights so a 1:10 imbalance doesn't teach "never a school"."""
    n = len(split.labels)
    pos = sum(split.labels)
    return {0: n / (2.0 * (n - pos)), 1: n / (2.0 * pos)}


def decode_resize(data: Any, size: int) -> Any:
    """Encoded PNG/JPEG bytes -> (size, size, 3) float32 in [0, 255]; used by the pipeline
    and by the exported serving signature, so training and serving see the same pixels."""
    import tensorflow as tf

    image = tf.io.decode_image(data, channels=3, expand_animations=False)
    image.set_shape([None, None, 3])
    return tf.image.resize(tf.cast(image, tf.float32), [size, size], antialias=True)


#: the largest shift of a chip's content by augmentation, as a share of its side
SHIFT = 0.25


def augment(image: Any, seed: Any) -> Any:
    """Flips, 90° turns, brightness and contrast, and a shift of up to a quarter of the chip
    (mirrored at the border): in a scan a school sits anywhere in its tile, partly cut off at an
    edge, and the activation map that places it must follow it there."""
    import tensorflow as tf

    seeds = tf.random.experimental.stateless_split(seed, num=6)
    side = tf.shape(image)[0]
    pad = tf.cast(tf.cast(side, tf.float32) * SHIFT, tf.int32)
    padded = tf.pad(image, [[pad, pad], [pad, pad], [0, 0]], mode="REFLECT")
    image = tf.image.stateless_random_crop(padded, tf.shape(image), seeds[5])
    image = tf.image.stateless_random_flip_left_right(image, seeds[0])
    image = tf.image.stateless_random_flip_up_down(image, seeds[1])
    k = tf.random.stateless_uniform([], seeds[2], 0, 4, dtype=tf.int32)
    image = tf.image.rot90(image, k)
    image = tf.image.stateless_random_brightness(image, 20.0, seeds[3])
    image = tf.image.stateless_random_contrast(image, 0.8, 1.2, seeds[4])
    return tf.clip_by_value(image, 0.0, 255.0)


def make_dataset(
    split: Split, size: int, batch_size: int, training: bool, seed: int = 0, augment_images: bool = True
) -> Any:
    import tensorflow as tf

    autotune = tf.data.AUTOTUNE
    ds = tf.data.Dataset.from_tensor_slices((split.files, [float(v) for v in split.labels]))
    ds = ds.map(lambda f, y: (decode_resize(tf.io.read_file(f), size), y), num_parallel_calls=autotune)
    if len(split.files) * size * size * 3 * 4 < CACHE_LIMIT_BYTES:
        ds = ds.cache()
    if training:
        ds = ds.shuffle(len(split.files), seed=seed, reshuffle_each_iteration=True)
        if augment_images:
            counter = tf.data.Dataset.counter()
            ds = tf.data.Dataset.zip((ds, counter)).map(
                lambda xy, i: (augment(xy[0], tf.stack([tf.cast(seed, tf.int64), i])), xy[1]),
                num_parallel_calls=autotune,
            )
    return ds.batch(batch_size).prefetch(autotune)
