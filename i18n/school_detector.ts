<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name>BuildDatasetAlgorithm</name>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="45"/>
        <source>Build training data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="48"/>
        <source>Training</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="54"/>
        <source>Cuts one image chip per labeled web-mercator tile from any raster layer into OUT/{train,valid,test}/{school,not-school}/z-x-y.png, with manifest.csv, dataset.json and chips.gpkg. Splits are spatially blocked and reproducible with the seed; a tile labeled both ways follows the conflict rule. Re-running into the same folder resumes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="65"/>
        <source>Labeled points (or polygons)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="69"/>
        <source>Class field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="72"/>
        <source>Values meaning school (comma-separated; others are not-school)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="75"/>
        <source>Imagery</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="76"/>
        <source>Zoom</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="77"/>
        <source>Supertiles (512 px)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="78"/>
        <source>Centre chips on the points</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="79"/>
        <source>Split train,valid,test</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="80"/>
        <source>Seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="82"/>
        <source>Tile labeled both ways</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="87"/>
        <source>Random background tiles per school</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="95"/>
        <source>Dataset folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="96"/>
        <source>Chips written</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="97"/>
        <source>Chip footprints</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="103"/>
        <source>The labels layer is empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="131"/>
        <source>Cancelled; the chips written so far are kept and a re-run resumes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="133"/>
        <source>{n} chips written to {out}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BuildDatasetDialog</name>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="65"/>
        <source>School detector — Build training data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="67"/>
        <source>Build</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="67"/>
        <source>Cancel job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="67"/>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="93"/>
        <source>Preview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="97"/>
        <source>Choose labels, imagery and an output folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="103"/>
        <source>Labels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="105"/>
        <source>One layer with a class field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="106"/>
        <source>Two layers: schools and not-schools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="116"/>
        <source>Only selected features</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="134"/>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="161"/>
        <source>Layer:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="138"/>
        <source>Class field:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="141"/>
        <source>Ticked values are schools; the others are not-school</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="142"/>
        <source>Values meaning school:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="150"/>
        <source>Schools layer:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="153"/>
        <source>Not-schools layer:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="157"/>
        <source>Imagery</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="171"/>
        <source>Zoom:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="174"/>
        <source>Tile (256 px)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="175"/>
        <source>Supertile (512 px, more context)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="177"/>
        <source>Centre on the point</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="183"/>
        <source>Chips:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="187"/>
        <source>Output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="191"/>
        <source>Folder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="192"/>
        <source>Add chip footprints to the map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="200"/>
        <source>Advanced</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="214"/>
        <source>Train, valid, test:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="217"/>
        <source>Seed:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="225"/>
        <source>A tile labeled both ways:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="229"/>
        <source>Random not-school tiles per school chip, inside the imagery</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="230"/>
        <source>Background tiles per school:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="235"/>
        <source>…at least from schools:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="206"/>
        <source>train</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="206"/>
        <source>valid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="206"/>
        <source>test</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="220"/>
        <source>drop the tile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="221"/>
        <source>school wins</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="222"/>
        <source>not-school wins</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="415"/>
        <source>{n} chips in {out}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="315"/>
        <source>≈ {m:.2f} m/px here; a tile is {t:.0f} m across</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="401"/>
        <source>Building… {n} labeled points</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="418"/>
        <source>Skipped: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="446"/>
        <source>Chips — {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="211"/>
        <source>Share of the chips in {split}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="266"/>
        <source>'{layer}' has no class field (label, class, type…): choose the field that says school, or use 'Two layers' (a layer of schools and one of not-schools).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="389"/>
        <source>Preview of {n} chips: schools left, not-schools right.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="422"/>
        <source>{d} labels in the same tile as another were merged; {b} random not-school chips added.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="426"/>
        <source>{c} tiles labeled both ways ({rule}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="431"/>
        <source>Warning: no school chip in {splits}: training needs schools in train and valid, and the test figures mean nothing without them. Add school labels (or check the class values ticked).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReviewAlgorithms</name>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="39"/>
        <source>Reviewing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="56"/>
        <source>Export reviewed candidates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="59"/>
        <source>Writes the candidates with the chosen review statuses (confirmed schools by default) to GeoJSON, GeoPackage or CSV (by the output's extension): lon/lat or the tile polygon, score, status, reviewer, time and model. 'One per place' merges touching tiles of one status into one school. Also reports the model's precision as measured by the review.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="115"/>
        <source>Add reviewed to training data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="118"/>
        <source>The active-learning step: confirmed candidates become 'school' chips and rejected ones 'not-school' hard negatives in an existing dataset folder, rendered from the imagery the scan used, with the dataset's own chip geometry and split rules and no duplicates; dataset.json gets a new version.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="45"/>
        <source>Scan results (GeoPackage)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="70"/>
        <source>Statuses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="73"/>
        <source>Tile polygons instead of points</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="75"/>
        <source>One per place (touching tiles)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="79"/>
        <source>Output file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="79"/>
        <source>GeoJSON (*.geojson);;GeoPackage (*.gpkg);;CSV (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="82"/>
        <source>Exported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="83"/>
        <source>Precision measured by the review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="127"/>
        <source>Imagery the scan used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="129"/>
        <source>Dataset folder (with dataset.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="131"/>
        <source>Chips added</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="132"/>
        <source>Dataset version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="100"/>
        <source>{n} exported; {c} confirmed, {r} rejected, {u} unsure, {o} unreviewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="148"/>
        <source>Added {n} chips {labels}; dataset version {v}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReviewDock</name>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="70"/>
        <source>Confirm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="71"/>
        <source>Reject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="72"/>
        <source>Unsure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="113"/>
        <source>highest score first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="113"/>
        <source>nearest first (a short walk)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="115"/>
        <source>whole queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="116"/>
        <source>every N-th (stride)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="117"/>
        <source>west-to-east strips (region)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="120"/>
        <source>unreviewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="121"/>
        <source>all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="122"/>
        <source>unsure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="123"/>
        <source>confirmed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="124"/>
        <source>rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="125"/>
        <source>known schools (set aside by the scan)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="132"/>
        <source>School detector — Review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="164"/>
        <location filename="school_detector/gui/review_dock.py" line="344"/>
        <source>Choose a candidates layer (from a scan).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="169"/>
        <source>note (optional), saved with the next decision</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="175"/>
        <source>Add the missing review fields</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="180"/>
        <source>Add reviewed to training data…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="180"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="185"/>
        <source>Confirmed candidates become 'school' chips, rejected ones 'not-school' hard negatives</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="188"/>
        <source>Export confirmed…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="189"/>
        <source>Confirmed schools to GeoJSON, GeoPackage or CSV, with a summary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="232"/>
        <source>Only candidates scoring at least this are shown (a filter, not a rescan)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="244"/>
        <source>Several mappers split one queue: each picks the same split and their own part; merge the files after</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="259"/>
        <source>One decision per place</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="261"/>
        <source>A school seen from neighbouring tiles is one place: candidates whose points lie on one school (or, without points, a block of at most 2x2 touching tiles) are decided once, for all of them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="271"/>
        <source>The name your decisions are recorded under (kept for next time)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="289"/>
        <source>Chip preview from:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="290"/>
        <source>The imagery exactly as the model saw it for this tile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="667"/>
        <source>Could not save the decision: the file is read-only or locked by another program. Nothing was changed; make the file writable (or wait for the other program) and press again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="214"/>
        <source>Candidates:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="227"/>
        <source>Show:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="235"/>
        <source>Threshold:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="254"/>
        <source>Share:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="257"/>
        <source>of</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="273"/>
        <source>Reviewer:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="320"/>
        <source>Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="320"/>
        <source>Skip</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="397"/>
        <source>Could not add fields: is the file read-only?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="516"/>
        <source>Nothing left in this queue.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="481"/>
        <source> · {m:.0f} m from a mapped school</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="528"/>
        <source>, a place of {n} tiles (about {m:.0f} m across)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="584"/>
        <source>; the ring: where it places the school</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="727"/>
        <source> · {rate:.0f} per hour this session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="353"/>
        <source>This layer lacks the fields {f}. It may come from another tool; add them to review it here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="425"/>
        <source>{n} more candidates from the scan's kept scores (no rescan needed).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="533"/>
        <source>{i}/{n}: tile {tile}{place}, score {score:.3f}, status {status}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="583"/>
        <source>{t}: {px} px, as the model saw it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="635"/>
        <source>This candidate was just marked {s} by {who} elsewhere. Press again to overwrite that decision, or Skip (S) to keep it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="732"/>
        <source>Reviewed {r}/{t}: {c} confirmed, {x} rejected, {u} unsure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="737"/>
        <source>; {s} more on places already decided (not queued again)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="735"/>
        <source>; {k} on known schools set aside</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_outputs.py" line="47"/>
        <source>Export confirmed schools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_outputs.py" line="49"/>
        <source>GeoJSON (*.geojson);;GeoPackage (*.gpkg);;CSV (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_outputs.py" line="81"/>
        <source>Dataset folder (with dataset.json) to add to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_outputs.py" line="106"/>
        <source>Nothing to add yet: confirm or reject candidates first (only decided ones become chips).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_outputs.py" line="72"/>
        <source>Exported {n} confirmed schools to {out}. Reviewed precision of the model: {p}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_outputs.py" line="89"/>
        <source>{n} not-school chips of tiles confirmed as schools are school chips now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_outputs.py" line="94"/>
        <source>Added {n} chips ({labels}) to {d}: dataset version {v}, ready for the next training.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_outputs.py" line="96"/>
        <source>none new</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_outputs.py" line="104"/>
        <source>Nothing new to add to {d}: {why}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_outputs.py" line="102"/>
        <source>Left out: {why}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ScanAlgorithm</name>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="50"/>
        <source>Scan for schools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="53"/>
        <source>Scanning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="59"/>
        <source>Scores every web-mercator tile of the region (polygons, or the imagery's extent) with a trained model, running it in the ML runtime, and writes a results GeoPackage: tile_scores, candidates and candidate_footprints. Each candidate's point is where the model places the school. Candidates on known schools are set aside ('known'), tiles without a building are skipped, and candidates outside the region's polygons are left out. An existing results file is replaced, unless 'Resume' is ticked: then the tiles already in it are skipped (refused if it holds a scan by another model, chip size or imagery).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="131"/>
        <source>Starting the model server in the ML runtime…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="70"/>
        <source>Imagery</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="74"/>
        <source>Region polygons (empty: the imagery's extent)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="79"/>
        <source>Model folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="83"/>
        <source>Threshold (-1: the model card's)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="94"/>
        <source>Known schools (candidates on them are set aside; a 'label' field: its 'school' features)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="102"/>
        <source>The schools of the model's dataset count as known (when it is on this computer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="109"/>
        <source>Buildings (footprints, points or a built-up raster): tiles without one are not scanned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="116"/>
        <source>Trust this model folder (loading a model runs its code; needed once per folder)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="122"/>
        <source>Resume an existing results file (else it is replaced)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="125"/>
        <source>Results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="126"/>
        <source>Tiles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="127"/>
        <source>Candidates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="145"/>
        <source>The ML runtime is not set up: School detector &gt; Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="135"/>
        <source>Cancelled; finished batches are saved (resume to continue).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="137"/>
        <source>{c} candidates in {n} tiles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="161"/>
        <source>The region layer</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ScanDialog</name>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="95"/>
        <source>Where should scan results go? (Saved projects keep them next to the project.)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="117"/>
        <source>School detector — Scan region</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="119"/>
        <source>Scan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="119"/>
        <source>Cancel job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="119"/>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="179"/>
        <source>Region</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="181"/>
        <source>Current map extent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="182"/>
        <source>Selected polygons of</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="183"/>
        <source>All polygons of</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="197"/>
        <source>Polygon layer:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="203"/>
        <source>Imagery:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="207"/>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="213"/>
        <source>Model folder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="217"/>
        <source>Local (this computer, in the ML runtime)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="218"/>
        <location filename="school_detector/gui/scan_dialog.py" line="243"/>
        <source>TF Serving endpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="239"/>
        <source>Threshold:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="247"/>
        <source>URL:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="250"/>
        <source>name (the card's)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="252"/>
        <source>version (latest)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="253"/>
        <source>A version number or a label; empty: the latest version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="256"/>
        <source>Model:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="258"/>
        <source>Authentication:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="264"/>
        <source>Leave out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="271"/>
        <source>Schools already mapped (a layer with a 'label' field: its 'school' features; else every feature)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="273"/>
        <source>Known schools:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="282"/>
        <source>Building footprints or points (Microsoft, Google, Overture, OSM) or a built-up raster (e.g. GHSL): tiles without a building are not scanned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="288"/>
        <source>Buildings:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="328"/>
        <source>Output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="334"/>
        <source>Results:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="335"/>
        <source>Resume into an existing results file (skip tiles already scanned)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="549"/>
        <source>Load this model?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="236"/>
        <source>Batch size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="354"/>
        <source>Choose a model folder (Train classifier… makes one).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="403"/>
        <source>{n:,} tiles at zoom {z} with imagery (≈ {a:.1f} km² at most)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="520"/>
        <source>Large scan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="575"/>
        <source>{c} in {n:,} tiles ({rate} tiles/s on {on}); results in {out}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="364"/>
        <source>and the schools of the model's dataset ({dir})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="399"/>
        <source>up to {n:,} tiles at zoom {z} (the region's box): more than {limit:,}, so not counted here; zoom in, or choose a district</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="408"/>
        <source>, {m} with buildings (the others are skipped)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="412"/>
        <source>, about {eta} at the last scan's {r:.0f} tiles/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="494"/>
        <source>Not started: the model folder was not trusted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="550"/>
        <source>Loading a model runs its code: a SavedModel can carry arbitrary operations. Load {dir} only if you made it or trust where it comes from.

Load it and remember the choice?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="576"/>
        <source>1 candidate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="585"/>
        <source>Skipped: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="586"/>
        <source>To review: {p} places ({n} near a mapped school); {k} on known schools set aside.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="591"/>
        <source>Note: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="520"/>
        <source>This scan covers {plan}. Start it?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="529"/>
        <source>Starting ({n:,} tiles)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="531"/>
        <source>Starting: counting the region's tiles (up to {n:,})…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="523"/>
        <source>Not started: {plan}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="578"/>
        <source>{c:,} candidates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="505"/>
        <source>A new results file is proposed: {name}. Scan again to use it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SchoolDetector</name>
    <message>
        <location filename="school_detector/plugin.py" line="47"/>
        <source>Build training data…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="50"/>
        <source>Cut labeled image chips from imagery for training</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="52"/>
        <source>Train classifier…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="52"/>
        <source>Train a school classifier on a chip dataset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="55"/>
        <source>Scan current extent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="58"/>
        <source>Scan the visible map extent with the last model and settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="60"/>
        <source>Scan region…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="60"/>
        <source>Scan polygons (e.g. a district) tile by tile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="61"/>
        <source>Review detections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="61"/>
        <source>Confirm or reject candidate schools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="62"/>
        <source>Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="62"/>
        <source>ML runtime, TensorFlow and GPU state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="99"/>
        <source>School detector</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="173"/>
        <source>The ML runtime is not set up yet: this needs it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="174"/>
        <source>Set up ML runtime…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="159"/>
        <source>Training needs TensorFlow, which this ML runtime (scanning and review only) does not have.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="160"/>
        <source>Add training…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="246"/>
        <source>Choose a model first (Train classifier… makes one); then one click scans the current extent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="252"/>
        <source>A scan is running: wait for it, or cancel it, then scan again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="257"/>
        <source>No visible raster layer covers the map: show the imagery (or zoom to it), then scan again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="266"/>
        <source>Not started: choose where scan results go.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="55"/>
        <source>no GPU seen (CPU only)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="73"/>
        <source>Set up ML runtime…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="73"/>
        <source>Cancel job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="78"/>
        <source>School detector — Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="86"/>
        <source>ML runtime (TensorFlow runs here, outside QGIS)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="94"/>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="98"/>
        <source>Python:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="102"/>
        <source>In use:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="103"/>
        <source>not checked yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="104"/>
        <source>State:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="106"/>
        <source>default: PyPI (set a mirror URL if your network needs one)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="107"/>
        <source>Package index:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="119"/>
        <source>Scanning and review runs models someone trained, on ONNX Runtime. Training needs TensorFlow too; choose it now or add it later (the same button).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="124"/>
        <source>Set up for:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="126"/>
        <source>Check runtime</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="128"/>
        <source>Test runtime</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="129"/>
        <location filename="school_detector/gui/settings_dialog.py" line="282"/>
        <source>Build a tiny model and time predictions on this machine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="133"/>
        <source>Create (or add to) a private Python environment for School detector, as chosen in 'Set up for'</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="149"/>
        <source>Diagnostics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="151"/>
        <source>Copy a report for bug reports: versions, runtime, GPUs, settings, last errors (secrets masked)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="204"/>
        <source>ML runtime Python</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="213"/>
        <source>Settings saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="226"/>
        <source>Diagnostics copied to the clipboard: paste them into your bug report.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="273"/>
        <source>checking… (importing TensorFlow can take a while)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="274"/>
        <source>Check ML runtime</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="289"/>
        <source>Test ML runtime</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="321"/>
        <source>The ML runtime is ready.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="49"/>
        <source>Scanning on: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="53"/>
        <source>GPUs: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="59"/>
        <source>Training: not in this runtime (scanning and review only)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="284"/>
        <source>Needs the training runtime: choose 'Training too' and set up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="293"/>
        <source>Runtime works: {n} images/s on {dev} (tiny test model).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="57"/>
        <source>Training: TensorFlow {v} · {gpus}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="90"/>
        <source>automatic: ${env}, then the managed runtime</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="111"/>
        <source>Scanning and review (ONNX Runtime; {d} download, {s} on disk)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="116"/>
        <source>Training too (adds TensorFlow; {d} download, {s} on disk)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="176"/>
        <source>No ML runtime yet. Click 'Set up ML runtime…' (needs internet once), or choose the Python of an existing runtime.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="316"/>
        <source>Setting up the ML runtime in {dir}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="61"/>
        <source>TensorFlow not usable: </source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TrainAlgorithm</name>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="40"/>
        <location filename="school_detector/processing/train_algorithm.py" line="105"/>
        <source>Train classifier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="43"/>
        <source>Training</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="49"/>
        <source>Trains a school / not-school classifier on a dataset folder made by 'Build training data' (transfer learning: a frozen backbone, then fine-tuning), picks the F2 threshold on the validation split, evaluates on the test split and exports a TF Serving model folder with model_card.json and report.html. Runs in the ML runtime; Cancel stops after the current batch and keeps the best checkpoint. Without internet, choose weights 'none' or a local weights file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="78"/>
        <source>Epochs with the backbone frozen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="79"/>
        <source>Fine-tuning epochs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="80"/>
        <source>Batch size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="59"/>
        <source>Dataset folder (with dataset.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="64"/>
        <source>Backbone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="69"/>
        <source>Start weights</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="74"/>
        <source>Local weights file (.h5, overrides 'Start weights')</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="87"/>
        <location filename="school_detector/processing/train_algorithm.py" line="90"/>
        <source>Model folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="88"/>
        <source>Test ROC AUC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="89"/>
        <source>Decision threshold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="109"/>
        <source>Model {m}: test ROC AUC {auc}, threshold {t}; report: {r}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TrainDialog</name>
    <message>
        <location filename="school_detector/core/training.py" line="34"/>
        <source>MobileNetV2 (recommended: ~4x faster)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/core/training.py" line="35"/>
        <source>Xception (slower, a bit more accurate)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/core/training.py" line="36"/>
        <source>Tiny CNN (from scratch; quick CPU experiments)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/core/training.py" line="41"/>
        <source>ImageNet (downloaded once)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/core/training.py" line="42"/>
        <source>None (train from scratch)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/core/training.py" line="43"/>
        <source>Local file… (offline)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/plot_widget.py" line="17"/>
        <location filename="school_detector/gui/plot_widget.py" line="17"/>
        <source>train</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/plot_widget.py" line="17"/>
        <location filename="school_detector/gui/plot_widget.py" line="17"/>
        <source>validation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/plot_widget.py" line="16"/>
        <source>loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/plot_widget.py" line="16"/>
        <source>accuracy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/plot_widget.py" line="90"/>
        <source>epoch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/plot_widget.py" line="58"/>
        <source>loss and accuracy per epoch appear here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="74"/>
        <source>School detector — Train classifier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="76"/>
        <source>Train</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="76"/>
        <source>Cancel job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="76"/>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="81"/>
        <source>Stops after the current batch; the best checkpoint is kept</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="98"/>
        <source>Open report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="101"/>
        <source>Use this model for scanning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="107"/>
        <source>Training runs in the ML runtime; QGIS stays responsive.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="114"/>
        <source>Data and model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="120"/>
        <source>Dataset folder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="122"/>
        <source>Choose a folder made by 'Build training data…' (or any train/valid/test folder with school/ and not-school/).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="137"/>
        <source>Backbone:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="138"/>
        <source>Weights:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="139"/>
        <source>Epochs:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="142"/>
        <source>Model folder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="162"/>
        <source>frozen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="163"/>
        <source>+ fine-tuning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="185"/>
        <source>Advanced</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="190"/>
        <source>auto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="192"/>
        <source>Top backbone layers unfrozen for fine-tuning (0: all)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="198"/>
        <source>Augment (flips, rotations, brightness/contrast)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="313"/>
        <source>Train classifier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="324"/>
        <source>Starting the ML runtime…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="182"/>
        <source>epochs, one phase: from scratch every layer trains</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="182"/>
        <source>epochs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="348"/>
        <source>Model {name} v{v} saved in {dir}. On the {split} split ({pos} schools / {neg} not-schools) at threshold {t:.2f}: ROC AUC {auc:.3f}, recall {r:.2f}, precision {p:.2f}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="395"/>
        <source>Scans will use {dir}: Scan current extent and Scan region… take it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="202"/>
        <source>Batch size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="203"/>
        <source>Input size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="204"/>
        <source>Fine-tune layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="205"/>
        <source>Early-stop patience</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="206"/>
        <source>Learning rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="207"/>
        <source>Fine-tune learning rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="208"/>
        <source>Seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="209"/>
        <source>Model name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="332"/>
        <source>Epoch {e}: loss {l:.3f}, val loss {vl:.3f}, val accuracy {va:.3f}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="365"/>
        <source>Training {how}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="367"/>
        <source>⚠ Read the cautions above.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="372"/>
        <source>Caution: </source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
