"""Page data for the dispatch pages: small DataFrame-in/DataFrame-out functions over the
dispatch table (see ``indicators.dispatch`` for its columns), plus a few reads.

Every function returns display-ready columns with Chinese headers where the page shows
the frame as it is, and keeps the raw ``status`` next to the label so tables and charts
colour the same way. No streamlit here.
"""


from indicators.formatting import fmt_pct, fmt_pp, fmt_value, fmt_yoy, month_label  # noqa: F401 (pages use them)
from indicators.views.accounts import *  # noqa: F401,F403
from indicators.views.delivery import *  # noqa: F401,F403
from indicators.views.indicator import *  # noqa: F401,F403
from indicators.views.overview import *  # noqa: F401,F403
from indicators.views.records import *  # noqa: F401,F403
from indicators.views.responsibility import *  # noqa: F401,F403
from indicators.views.review import *  # noqa: F401,F403
from indicators.views.scope import *  # noqa: F401,F403
from indicators.views.setup import *  # noqa: F401,F403
from indicators.views.upload import *  # noqa: F401,F403
