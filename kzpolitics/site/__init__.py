"""The site: settings, root URLs, the API router, cross-app pages, export, loader, feed,
sitemap and caching. The only layer that knows every app."""
