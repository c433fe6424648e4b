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
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="77"/>
        <source>Zoom</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="79"/>
        <source>Supertiles (512 px)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="80"/>
        <source>Centre chips on the points</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="81"/>
        <source>Split train,valid,test</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="83"/>
        <source>Seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="86"/>
        <source>Tile labeled both ways</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="91"/>
        <source>Random background tiles per school</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="99"/>
        <source>Dataset folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="100"/>
        <source>Chips written</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="101"/>
        <source>Chip footprints</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="107"/>
        <source>The labels layer is empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="135"/>
        <source>Cancelled; the chips written so far are kept and a re-run resumes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/build_dataset_algorithm.py" line="137"/>
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
        <location filename="school_detector/gui/build_dataset_dialog.py" line="89"/>
        <source>Preview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="93"/>
        <source>Choose labels, imagery and an output folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="99"/>
        <source>Labels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="101"/>
        <source>One layer with a class field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="102"/>
        <source>Two layers: schools and not-schools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="114"/>
        <source>Only selected features</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="130"/>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="156"/>
        <source>Layer:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="133"/>
        <source>Class field:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="136"/>
        <source>Ticked values are schools; the others are not-school</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="137"/>
        <source>Values meaning school:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="145"/>
        <source>Schools layer:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="148"/>
        <source>Not-schools layer:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="152"/>
        <source>Imagery</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="165"/>
        <source>Zoom:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="167"/>
        <source>Tile (256 px)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="168"/>
        <source>Supertile (512 px, more context)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="170"/>
        <source>Centre on the point</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="173"/>
        <source>Chips:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="177"/>
        <source>Output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="181"/>
        <source>Folder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="182"/>
        <source>Add chip footprints to the map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="188"/>
        <source>Advanced</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="217"/>
        <source>Random not-school tiles per school chip, inside the imagery</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="203"/>
        <source>Seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="207"/>
        <source>drop the tile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="208"/>
        <source>school wins</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="209"/>
        <source>not-school wins</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="212"/>
        <source>Tile labeled both ways</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="218"/>
        <source>Background per school</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="224"/>
        <source>…at least from schools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="193"/>
        <source>train</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="193"/>
        <source>valid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="193"/>
        <source>test</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="300"/>
        <source>≈ {m:.2f} m/px here; a tile is {t:.0f} m across</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="386"/>
        <source>Building… {n} labeled points</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="399"/>
        <source>Skipped: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="412"/>
        <source>Chips — {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="374"/>
        <source>Preview of {n} chips: schools left, not-schools right.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="397"/>
        <source>{n} chips in {out}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/build_dataset_dialog.py" line="402"/>
        <source>{c} tiles labeled both ways ({rule}).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReviewAlgorithms</name>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="38"/>
        <source>Reviewing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="55"/>
        <source>Export reviewed candidates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="58"/>
        <source>Writes the candidates with the chosen review statuses (confirmed schools by default) to GeoJSON, GeoPackage or CSV (by the output's extension): lon/lat or the tile polygon, score, status, reviewer, time and model. 'One per site' merges touching tiles of one status into one school. Also reports the model's precision as measured by the review.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="112"/>
        <source>Add reviewed to training data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="115"/>
        <source>The active-learning step: confirmed candidates become 'school' chips and rejected ones 'not-school' hard negatives in an existing dataset folder, rendered from the imagery the scan used, with the dataset's own chip geometry and split rules and no duplicates; dataset.json gets a new version.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="44"/>
        <source>Scan results (GeoPackage)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="69"/>
        <source>Statuses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="72"/>
        <source>Tile polygons instead of points</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="73"/>
        <source>One per site (touching tiles)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="76"/>
        <source>Output file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="76"/>
        <source>GeoJSON (*.geojson);;GeoPackage (*.gpkg);;CSV (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="79"/>
        <source>Exported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="80"/>
        <source>Precision measured by the review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="124"/>
        <source>Imagery the scan used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="127"/>
        <source>Dataset folder (with dataset.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="130"/>
        <source>Chips added</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="131"/>
        <source>Dataset version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="97"/>
        <source>{n} exported; {c} confirmed, {r} rejected, {u} unsure, {o} unreviewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/review_algorithms.py" line="147"/>
        <source>Added {n} chips {labels}; dataset version {v}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReviewDock</name>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="66"/>
        <source>Confirm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="67"/>
        <source>Reject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="68"/>
        <source>Unsure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="109"/>
        <source>highest score first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="109"/>
        <source>nearest first (a short walk)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="111"/>
        <source>whole queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="112"/>
        <source>every N-th (stride)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="113"/>
        <source>west-to-east strips (region)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="116"/>
        <source>unreviewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="117"/>
        <source>all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="118"/>
        <source>unsure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="119"/>
        <source>confirmed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="120"/>
        <source>rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="121"/>
        <source>known schools (set aside by the scan)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="128"/>
        <source>School detector — Review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="157"/>
        <location filename="school_detector/gui/review_dock.py" line="316"/>
        <source>Choose a candidates layer (from a scan).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="162"/>
        <source>note (optional), saved with the next decision</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="168"/>
        <source>Add the missing review fields</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="173"/>
        <source>Add reviewed to training data…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="173"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="178"/>
        <source>Confirmed candidates become 'school' chips, rejected ones 'not-school' hard negatives</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="181"/>
        <source>Export confirmed…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="182"/>
        <source>Confirmed schools to GeoJSON, GeoPackage or CSV, with a summary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="222"/>
        <source>Only candidates scoring at least this are shown (a filter, not a rescan)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="234"/>
        <source>Several mappers split one queue: each picks the same split and their own part; merge the files after</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="249"/>
        <source>One decision per place (a school seen from neighbouring tiles)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="251"/>
        <source>Candidates whose points lie on one school (or, without points, a block of at most 2x2 touching tiles) are decided once, for all of them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="264"/>
        <source>Chip preview from:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="265"/>
        <source>The imagery exactly as the model saw it for this tile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="627"/>
        <source>Could not save the decision: the file is read-only or locked by another program. Nothing was changed; make the file writable (or wait for the other program) and press again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="204"/>
        <source>Candidates:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="217"/>
        <source>Show:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="225"/>
        <source>Threshold:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="244"/>
        <source>Share:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="247"/>
        <source>of</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="295"/>
        <source>Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="295"/>
        <source>Skip</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="370"/>
        <source>Could not add fields: is the file read-only?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="474"/>
        <source>Nothing left in this queue.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="486"/>
        <source>, a site of {n} tiles (about {m:.0f} m across)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="491"/>
        <source>{i}/{n}: tile {tile}{site}, score {score:.3f}, status {status}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="541"/>
        <source>; the ring: where it places the school</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="687"/>
        <source> · {rate:.0f} per hour this session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="323"/>
        <source>This layer lacks the fields {f}. It may come from another tool; add them to review it here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="398"/>
        <source>{n} more candidates from the scan's kept scores (no rescan needed).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="540"/>
        <source>{t}: {px} px, as the model saw it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="595"/>
        <source>This candidate was just marked {s} by {who} elsewhere. Press again to overwrite that decision, or Skip (S) to keep it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="692"/>
        <source>Reviewed {r}/{t}: {c} confirmed, {x} rejected, {u} unsure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_dock.py" line="695"/>
        <source>; {k} on known schools set aside</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_outputs.py" line="46"/>
        <source>Export confirmed schools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_outputs.py" line="48"/>
        <source>GeoJSON (*.geojson);;GeoPackage (*.gpkg);;CSV (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_outputs.py" line="79"/>
        <source>Dataset folder (with dataset.json) to add to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_outputs.py" line="85"/>
        <source>Added {n} chips ({labels}) to {d}: dataset version {v}, ready for the next training.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/review_outputs.py" line="70"/>
        <source>Exported {n} confirmed schools to {out}. Reviewed precision of the model: {p}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ScanAlgorithm</name>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="49"/>
        <source>Scan for schools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="52"/>
        <source>Scanning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="58"/>
        <source>Scores every web-mercator tile of the region (polygons, or the imagery's extent) with a trained model, running it in the ML runtime, and writes a results GeoPackage: tile_scores, candidates and candidate_footprints. Each candidate's point is where the model places the school. Candidates on known schools are set aside ('known'), tiles without a building are skipped, and candidates outside the region's polygons are left out. With 'Resume', tiles already in the file are skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="119"/>
        <source>Starting the model server in the ML runtime…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="67"/>
        <source>Imagery</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="71"/>
        <source>Region polygons (empty: the imagery's extent)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="77"/>
        <source>Model folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="82"/>
        <source>Threshold (-1: the model card's)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="93"/>
        <source>Known schools (candidates on them are set aside; a 'label' field: its 'school' features)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="101"/>
        <source>Buildings (footprints, points or a built-up raster): tiles without one are not scanned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="108"/>
        <source>Trust this model folder (loading a model runs its code; needed once per folder)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="112"/>
        <source>Resume an existing results file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="113"/>
        <source>Results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="114"/>
        <source>Tiles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="115"/>
        <source>Candidates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="133"/>
        <source>The ML runtime is not set up: School detector &gt; Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="123"/>
        <source>Cancelled; finished batches are saved (resume to continue).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="125"/>
        <source>{c} candidates in {n} tiles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/scan_algorithm.py" line="148"/>
        <source>The region layer</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ScanDialog</name>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="75"/>
        <source>School detector — Scan region</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="77"/>
        <source>Scan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="77"/>
        <source>Cancel job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="77"/>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="108"/>
        <source>Region</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="110"/>
        <source>Current map extent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="111"/>
        <source>Selected polygons of</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="112"/>
        <source>All polygons of</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="124"/>
        <source>Polygon layer:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="130"/>
        <source>Imagery:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="134"/>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="140"/>
        <source>Model folder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="144"/>
        <source>Local (this computer, in the ML runtime)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="145"/>
        <location filename="school_detector/gui/scan_dialog.py" line="170"/>
        <source>TF Serving endpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="166"/>
        <source>Threshold:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="174"/>
        <source>URL:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="177"/>
        <source>model name (default: the card's)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="179"/>
        <source>version or label (default: latest)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="182"/>
        <source>Model:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="184"/>
        <source>Authentication:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="190"/>
        <source>Leave out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="197"/>
        <source>Schools already mapped (a layer with a 'label' field: its 'school' features; else every feature)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="199"/>
        <source>Known schools:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="210"/>
        <source>Building footprints or points (Microsoft, Google, Overture, OSM) or a built-up raster (e.g. GHSL): tiles without a building are not scanned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="216"/>
        <source>Buildings:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="247"/>
        <source>Output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="253"/>
        <source>Results:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="254"/>
        <source>Resume into an existing results file (skip tiles already scanned)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="163"/>
        <source>Batch size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="273"/>
        <source>Choose a model folder (Train classifier… makes one).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="331"/>
        <source>{n} tiles at zoom {z} (≈ {a:.1f} km² at most)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="401"/>
        <source>Large scan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="426"/>
        <source>Load this model?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="450"/>
        <source>{c} candidates in {n} tiles ({rate} tiles/s); results in {out}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="463"/>
        <source>Candidate schools (partial)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="277"/>
        <source>{id}: {bb}, zoom {z} {kind}, trained threshold {t:.2f}, test ROC AUC {auc}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="290"/>
        <source>and the schools this model was trained on ({dir})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="333"/>
        <source>, {m} with buildings (the others are skipped)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="336"/>
        <source>, about {eta} at the last scan's {r:.0f} tiles/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="392"/>
        <source>Not started: the model folder was not trusted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="404"/>
        <source>Not started.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="409"/>
        <source>Starting ({n} tiles)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="447"/>
        <source>Candidate schools — {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="454"/>
        <source>Skipped: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="401"/>
        <source>This scan covers {n} tiles. Start it?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/scan_dialog.py" line="427"/>
        <source>Loading a model runs its code: a SavedModel can carry arbitrary operations. Load {dir} only if you made it or trust where it comes from.

Load it and remember the choice?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SchoolDetector</name>
    <message>
        <location filename="school_detector/plugin.py" line="46"/>
        <source>Build training data…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="49"/>
        <source>Cut labeled image chips from imagery for training</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="51"/>
        <source>Train classifier…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="51"/>
        <source>Train a school classifier on a chip dataset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="54"/>
        <source>Scan current extent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="57"/>
        <source>Scan the visible map extent with the last model and settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="59"/>
        <source>Scan region…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="59"/>
        <source>Scan polygons (e.g. a district) tile by tile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="60"/>
        <source>Review detections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="60"/>
        <source>Confirm or reject candidate schools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="61"/>
        <source>Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="61"/>
        <source>ML runtime, TensorFlow and GPU state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="94"/>
        <location filename="school_detector/plugin.py" line="150"/>
        <source>School detector</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="150"/>
        <source>This needs the ML runtime (TensorFlow), which is not set up yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="152"/>
        <source>Set up ML runtime…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="212"/>
        <source>Choose a model first (Train classifier… makes one); then one click scans the current extent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/plugin.py" line="226"/>
        <source>Add or show an imagery layer, then scan again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="63"/>
        <source>Set up ML runtime…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="63"/>
        <source>Cancel job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="68"/>
        <source>School detector — Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="76"/>
        <source>ML runtime (TensorFlow runs here, outside QGIS)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="82"/>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="86"/>
        <source>Python:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="90"/>
        <source>In use:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="91"/>
        <source>not checked yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="92"/>
        <source>State:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="94"/>
        <source>default: PyPI (set a mirror URL if your network needs one)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="95"/>
        <source>Package index:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="97"/>
        <source>Check runtime</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="99"/>
        <source>Test runtime</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="100"/>
        <source>Build a tiny model and time predictions on this machine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="104"/>
        <source>Create a private Python environment with TensorFlow in your QGIS profile (about 2 GB download)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="120"/>
        <source>Diagnostics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="122"/>
        <source>Copy a report for bug reports: versions, runtime, GPUs, settings, last errors (secrets masked)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="150"/>
        <source>ML runtime Python</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="171"/>
        <source>Diagnostics copied to the clipboard: paste them into your bug report.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="218"/>
        <source>checking… (importing TensorFlow can take a while)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="219"/>
        <source>Check ML runtime</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="226"/>
        <source>Test ML runtime</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="247"/>
        <source>The ML runtime is ready.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="49"/>
        <source>no GPU seen (CPU only)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="230"/>
        <source>Runtime works: {n} images/s on {dev} (tiny test model).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="47"/>
        <source>GPUs: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="52"/>
        <source>TensorFlow not usable: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="80"/>
        <source>automatic: ${env}, then the managed runtime</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="139"/>
        <source>No ML runtime yet. Click 'Set up ML runtime…' (needs internet once), or choose the Python of an existing runtime.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/settings_dialog.py" line="242"/>
        <source>Setting up the ML runtime in {dir}…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TrainAlgorithm</name>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="39"/>
        <location filename="school_detector/processing/train_algorithm.py" line="108"/>
        <source>Train classifier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="42"/>
        <source>Training</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="48"/>
        <source>Trains a school / not-school classifier on a dataset folder made by 'Build training data' (transfer learning: a frozen backbone, then fine-tuning), picks the F2 threshold on the validation split, evaluates on the test split and exports a TF Serving model folder with model_card.json and report.html. Runs in the ML runtime; Cancel stops after the current batch and keeps the best checkpoint. Without internet, choose weights 'none' or a local weights file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="79"/>
        <source>Epochs with the backbone frozen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="80"/>
        <source>Fine-tuning epochs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="81"/>
        <source>Batch size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="59"/>
        <source>Dataset folder (with dataset.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="65"/>
        <source>Backbone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="70"/>
        <source>Start weights</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="75"/>
        <source>Local weights file (.h5, overrides 'Start weights')</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="90"/>
        <location filename="school_detector/processing/train_algorithm.py" line="93"/>
        <source>Model folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="91"/>
        <source>Test ROC AUC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="92"/>
        <source>Decision threshold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/processing/train_algorithm.py" line="112"/>
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
        <location filename="school_detector/gui/train_dialog.py" line="72"/>
        <source>School detector — Train classifier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="74"/>
        <source>Train</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="74"/>
        <source>Cancel job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="74"/>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="79"/>
        <source>Stops after the current batch; the best checkpoint is kept</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="93"/>
        <source>Open report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="96"/>
        <source>Use this model for scanning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="102"/>
        <source>Training runs in the ML runtime; QGIS stays responsive.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="108"/>
        <source>Data and model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="113"/>
        <source>Dataset folder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="115"/>
        <source>Choose a folder made by 'Build training data…' (or any train/valid/test folder with school/ and not-school/).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="130"/>
        <source>Backbone:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="131"/>
        <source>Weights:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="132"/>
        <source>Epochs:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="135"/>
        <source>Model folder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="163"/>
        <source>Advanced</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="168"/>
        <source>auto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="170"/>
        <source>Top backbone layers unfrozen for fine-tuning (0: all)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="176"/>
        <source>Augment (flips, rotations, brightness/contrast)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="278"/>
        <source>Train classifier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="289"/>
        <source>Starting the ML runtime…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="155"/>
        <source>frozen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="157"/>
        <source>+ fine-tuning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="313"/>
        <source>Model {name} v{v} saved in {dir}. On the {split} split at threshold {t:.2f}: ROC AUC {auc:.3f}, recall {r:.2f}, precision {p:.2f}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="180"/>
        <source>Batch size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="181"/>
        <source>Input size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="182"/>
        <source>Fine-tune layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="183"/>
        <source>Early-stop patience</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="184"/>
        <source>Learning rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="185"/>
        <source>Fine-tune learning rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="186"/>
        <source>Seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="187"/>
        <source>Model name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="348"/>
        <source>Scans will use {dir}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="school_detector/gui/train_dialog.py" line="297"/>
        <source>Epoch {e}: loss {l:.3f}, val loss {vl:.3f}, val accuracy {va:.3f}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
