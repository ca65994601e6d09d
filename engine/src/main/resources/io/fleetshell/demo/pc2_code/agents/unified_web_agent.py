"""UnifiedWebAgent: extracts links from pages and prepares the requests that fetch them."""

import html
import html.parser
import http.cookies
import os
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from common.base_agent import BaseAgent

AGENT_NAME = "UnifiedWebAgent"
SERVICE_PORT = 7103
HEALTH_PORT = 8103

PAGE_TEMPLATE = """<html><head><title>{title}</title>
<link rel="stylesheet" href="/static/site.css"></head>
<body><h1>{title}</h1>
<a href="/docs/{slug}">Docs</a> <a href="https://example.invalid/{slug}?ref=demo">Mirror</a>
<a href="mailto:team@example.invalid">Mail</a> <a href="#top">Top</a>
<img src="/img/{slug}.png" alt="{title}">
</body></html>"""


class LinkExtractor(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self._in_title = True
        for name in ("href", "src"):
            if name in attrs:
                self.links.append((tag, attrs[name]))

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def fetch_plan(base, links, session):
    cookie = http.cookies.SimpleCookie()
    cookie["session"] = session
    cookie["session"]["path"] = "/"
    plan = []
    for tag, link in links:
        if link.startswith(("mailto:", "#")):
            continue
        url = urllib.request.urljoin(base, link)
        req = urllib.request.Request(url, headers={"Cookie": cookie.output(header="", attrs=[]).strip()})
        plan.append({"tag": tag, "url": req.full_url, "host": req.host, "type": req.type,
                     "cookie": req.get_header("Cookie")})
    return plan


def handle_run(params):
    title = params.get("x", "Fleet <Status> & Health")
    slug = "".join(ch if ch.isalnum() else "-" for ch in title.lower()).strip("-") or "page"
    page = PAGE_TEMPLATE.format(title=html.escape(title), slug=slug)
    parser = LinkExtractor()
    parser.feed(page)
    parser.close()
    plan = fetch_plan("http://127.0.0.1:%d/" % SERVICE_PORT, parser.links, session=slug[:16])
    return {
        "agent": AGENT_NAME,
        "title": parser.title,
        "links": len(parser.links),
        "fetch": plan,
    }


class UnifiedWebAgent(BaseAgent):
    agent_name, service_port, health_port = AGENT_NAME, SERVICE_PORT, HEALTH_PORT

    def handle_run(self, params):
        return handle_run(params)


if __name__ == "__main__":
    sys.exit(UnifiedWebAgent().serve())
