# Minimal WebKitGTK automation browser for WebKitWebDriver, used by engines.ts (see
# /work/shared/research/webkit.md, appendix B). Unlike MiniBrowser's automation mode it keeps its
# website data (IndexedDB, service workers, caches) in --data-dir=DIR, so a restarted session sees
# the same store and Blob/File values can be stored in IndexedDB. Console messages go to stderr
# ("URL:LINE:COL: CONSOLE LOG text"), where engines.ts reads them.
# Run with Debian's /usr/bin/python3 (python3-gi, gir1.2-webkit2-4.1) under an X display:
#   webkitgtk:browserOptions = { binary: "/usr/bin/python3", args: [THIS_FILE, "--automation", "--data-dir=DIR"] }
import os
import sys

import gi

gi.require_version('Gtk', '3.0')
gi.require_version('WebKit2', '4.1')
from gi.repository import Gtk, WebKit2  # noqa: E402

data_dir = next(a.split('=', 1)[1] for a in sys.argv[1:] if a.startswith('--data-dir='))
manager = WebKit2.WebsiteDataManager(base_data_directory=os.path.join(data_dir, 'data'),
                                     base_cache_directory=os.path.join(data_dir, 'cache'))
context = WebKit2.WebContext(website_data_manager=manager)
context.set_automation_allowed('--automation' in sys.argv)


def new_view(related=None):
    settings = WebKit2.Settings(javascript_can_open_windows_automatically=True,
                                enable_write_console_messages_to_stdout=True)
    if related is not None:  # window.open(): inherits the automation session of its opener
        view = WebKit2.WebView(related_view=related, settings=settings)
    else:
        view = WebKit2.WebView(web_context=context, is_controlled_by_automation=True, settings=settings)
    window = Gtk.Window()
    window.set_default_size(1024, 768)
    window.add(view)
    view.connect('close', lambda v: window.destroy())
    view.connect('create', lambda v, action: new_view(related=v))
    window.show_all()
    return view


def on_automation_started(ctx, session):
    info = WebKit2.ApplicationInfo()
    info.set_name('wkbrowser')
    info.set_version(WebKit2.get_major_version(), WebKit2.get_minor_version(), WebKit2.get_micro_version())
    session.set_application_info(info)
    session.connect('create-web-view', lambda s: new_view())


context.connect('automation-started', on_automation_started)
Gtk.main()
