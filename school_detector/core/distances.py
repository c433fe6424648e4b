"""The ground distances of the scan's place rules, in metres (a light module: the CLI's parser
reads its defaults from here without loading the tile maths)."""

#: A candidate whose point is this close to a known school's point (or inside its polygon) is
#: that school: about the half-width of a school compound, plus the point's typical error.
KNOWN_DISTANCE_M = 75.0
#: Candidates whose points are this close to the best one are one place (one school seen from
#: neighbouring tiles, each placing it on the part it sees): about a compound's width. A place
#: never grows beyond it (no chaining).
PLACE_RADIUS_M = 80.0
#: A candidate this close to a known school, but not on it, stays in the review queue with a note
#: saying how far it is ("82 m from a mapped school"): a second school on the same compound or
#: across the road is common, and only the mapper can tell.
NEAR_KNOWN_M = 250.0
