# -*- coding: utf-8 -*-
# Sphinx configuration of the novalite.compute docs site (scripts/build-docs.sh): the plugin
# and role reference that antsibull-docs renders from the documentation in the code, and the
# guides of docs/*.md. Offline: no intersphinx inventories are fetched.
project = 'novalite.compute'
copyright = 'novalite.compute contributors'
title = 'novalite.compute'
html_short_title = 'novalite.compute'

extensions = ['sphinx_antsibull_ext', 'myst_parser']
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
myst_heading_anchors = 3

pygments_style = 'ansible'
highlight_language = 'none'   # the guides' unmarked blocks are shell output and JSON

html_theme = 'sphinx_ansible_theme'
html_show_sphinx = False
display_version = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False
html_theme_options = {'collapse_navigation': False}

default_role = 'any'
nitpicky = True
