"""Fixed vocabularies: community planning areas and kinds of organisation."""

AREAS = {
    "city-of-edinburgh": "City of Edinburgh",
    "midlothian": "Midlothian",
    "east-lothian": "East Lothian",
    "west-lothian": "West Lothian",
    "scottish-borders": "Scottish Borders",
}

ORGANISATION_KINDS = {
    "charity": "Charity or SCIO",
    "voluntary-group": "Voluntary group",
    "social-enterprise": "Social enterprise",
    "community-council": "Community council",
    "third-sector-interface": "Third-sector interface",
    "public-body": "Public body",
}
