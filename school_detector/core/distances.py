"""The ground distances of the scan's place rules, in metres (a light module: the CLI's parser
reads its defaults from here without loading the tile maths)."""

#: A candidate whose point is this close to a known school's point (or inside its polygon) is
#: that school: about the half-width of a school compound, plus the point's typical error.
KNOWN_DISTANCE_M = 75.0
#: Candidates whose points are this close to the best one are one place (one school seen from
#: neighbouring tiles, each placing it on the part it sees): about a compound's width. A place
#: never grows beyond it (no chaining).
PLACE_RADIUS_M = 80.0
