"""One address for every kind of public page, for the checks that go over them all."""

PAGES = {
    "home": "/",
    "organization-list": "/organizations/",
    "organization-detail": "/organizations/otan/",
    "person-list": "/people/",
    "person-detail": "/people/nursultan-nazarbaev/",
    "election-list": "/elections/",
    "election-detail": "/elections/majilis-2004/",
    "act-list": "/acts/",
    "act-detail": "/acts/law-on-political-parties-2002/",
    "timeline": "/timeline/",
    "source-list": "/sources/",
    "source-detail": "/sources/ponomarev-1991/",
    "event-detail": "/events/december-1986-events-alma-ata/",
    "place-list": "/places/",
    "place-detail": "/places/alma-ata/",
    "search": "/search/?q=Nazarbayev",
}

# Pages that are not records but still the site's: the error page a mistyped address gets.
NOT_FOUND = "/no-such-page/"
