'use strict';
// npx jscodeshift -t node_modules/mcp-sessionless/dist/jscodeshift/static-lists.js --parser=ts --extensions=ts src/
module.exports = require('./load.js')('static-lists');
