"""Sample shoppers: names, fictional contacts (example.* domains, 555-01xx and Ofcom drama numbers).

Generated phone numbers end in 30-99; 01-29 are kept for the demo shoppers so they never collide.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

FIRST = [
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Amelia",
    "Oliver",
    "Sophia",
    "Elijah",
    "Isabella",
    "James",
    "Mia",
    "William",
    "Harper",
    "Benjamin",
    "Evelyn",
    "Lucas",
    "Abigail",
    "Henry",
    "Emily",
    "Theo",
    "Ella",
    "Jack",
    "Scarlett",
    "Levi",
    "Grace",
    "Mateo",
    "Chloe",
    "Daniel",
    "Zoe",
    "Samuel",
    "Nora",
    "Leo",
    "Lily",
    "Owen",
    "Hannah",
    "Wyatt",
    "Aria",
    "Julian",
    "Layla",
    "Ezra",
    "Riley",
    "Kai",
    "Priya",
    "Arjun",
    "Mei",
    "Hiro",
    "Fatima",
    "Omar",
    "Sofia",
    "Diego",
    "Aisha",
    "Kwame",
    "Ingrid",
    "Lars",
]
LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Patel",
    "Kim",
    "Chen",
    "Okafor",
    "Novak",
    "Schmidt",
    "Rossi",
    "Dubois",
    "Murphy",
]
DOMAINS = ["example.com", "example.org", "example.net"]
US_PLACES = [
    ("San Francisco", "CA", "941", "415"),
    ("Los Angeles", "CA", "900", "213"),
    ("Seattle", "WA", "981", "206"),
    ("Portland", "OR", "972", "503"),
    ("Denver", "CO", "802", "303"),
    ("Austin", "TX", "787", "512"),
    ("Chicago", "IL", "606", "312"),
    ("New York", "NY", "100", "212"),
    ("Brooklyn", "NY", "112", "718"),
    ("Boston", "MA", "021", "617"),
    ("Miami", "FL", "331", "305"),
    ("Atlanta", "GA", "303", "404"),
    ("Minneapolis", "MN", "554", "612"),
    ("Philadelphia", "PA", "191", "215"),
    ("Nashville", "TN", "372", "615"),
    ("Phoenix", "AZ", "850", "602"),
    ("Washington", "DC", "200", "202"),
    ("Honolulu", "HI", "968", "808"),
    ("Anchorage", "AK", "995", "907"),
    ("Burlington", "VT", "054", "802"),
]
INTL_PLACES = [
    ("London", "", "GB", "SW1A 1AA", "+44 7700 9001"),
    ("Manchester", "", "GB", "M1 1AE", "+44 7700 9001"),
    ("Dublin", "", "IE", "D02 X285", "+353 85 555 01"),
    ("Berlin", "", "DE", "10115", "+49 1575 555 01"),
    ("Paris", "", "FR", "75001", "+33 6 55 55 01"),
    ("Amsterdam", "", "NL", "1012 JS", "+31 6 5555 01"),
    ("Toronto", "ON", "CA", "M5V 2T6", "+1 416 555 01"),
    ("Vancouver", "BC", "CA", "V6B 1A1", "+1 604 555 01"),
    ("Sydney", "NSW", "AU", "2000", "+61 491 570 01"),
    ("Auckland", "", "NZ", "1010", "+64 21 555 01"),
]
STREETS = [
    "Market St",
    "Oak Ave",
    "Maple Dr",
    "Cedar Ln",
    "Pine St",
    "Elm St",
    "Lake Rd",
    "Harbor Way",
    "Hillcrest Rd",
    "Sunset Blvd",
    "Main St",
    "Park Ave",
    "River Rd",
    "High St",
    "Station Rd",
]


@dataclass
class SampleCustomer:
    """A sample shopper and where they live."""

    first: str
    last: str
    email: str
    phone: str
    address: dict
    accepts_email: bool = False
    accepts_sms: bool = False
    accepts_whatsapp: bool = False
    tags: list = field(default_factory=list)

    @property
    def name(self) -> str:
        """Full name."""
        return f"{self.first} {self.last}"


def make_customers(rng: random.Random, count: int, taken_emails: set[str]) -> list[SampleCustomer]:
    """``count`` distinct shoppers, about one in seven outside the US."""
    customers: list[SampleCustomer] = []
    serial = 0
    while len(customers) < count:
        serial += 1
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first.lower()}.{last.lower()}{serial}@{rng.choice(DOMAINS)}"
        if email in taken_emails:
            continue
        taken_emails.add(email)
        street = f"{rng.randint(10, 9899)} {rng.choice(STREETS)}"
        if rng.random() < 0.14:
            city, region, country, postal, prefix = rng.choice(INTL_PLACES)
            phone = f"{prefix}{rng.randint(30, 99)}"
        else:
            city, region, zip3, area = rng.choice(US_PLACES)
            country, postal = "US", f"{zip3}{rng.randint(0, 99):02d}"
            phone = f"+1 {area} 555 01{rng.randint(30, 99)}"
        customers.append(
            SampleCustomer(
                first=first,
                last=last,
                email=email,
                phone=phone,
                address={
                    "address1": street,
                    "city": city,
                    "region": region,
                    "postal_code": postal,
                    "country": country,
                },
                accepts_email=rng.random() < 0.55,
                accepts_sms=rng.random() < 0.25,
                accepts_whatsapp=rng.random() < 0.2,
            )
        )
    return customers
