"""The words the intake surge bench files reports with: shared by bench/intake_surge.py (seeding, in
process) and bench/intake_locustfile.py (load). Kept apart from the locustfile because importing
locust monkey-patches threads (gevent), which breaks Django's per-thread connections in the seeder.
"""

CALLERS = ("victim", "witness", "colleague", "family", "anonymous")
CATEGORIES = (
    "domestic_violence",
    "sexual_harassment",
    "abuse_of_position_sexual",
    "stalking",
    "coercive_control",
    "other",
)
STATIONS = ("Harrow", "Brixton", "Croydon", "Ealing", "Hackney", "Lewisham", "Sutton", "Wembley")
NAMES = ("John Smith", "Sarah Khan", "Dave", "PC Morris", "Sergeant Lee", "Mark Evans", "")
NARRATIVES = (
    "He hit me and threatened me; he is a PC at {station}.",
    "An officer from {station} kept messaging me after he took my statement, asking to meet.",
    "I saw a sergeant at {station} take cash from a man outside the custody suite.",
    "My neighbour is a police officer and shouts at his partner every night; last night she screamed.",
    "The PCSO at {station} called my son a racist name and pushed him against a wall.",
    "A detective offered to drop the case against my brother if I met him at a hotel.",
)
