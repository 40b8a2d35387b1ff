<?php
/* exampleauth:UserPass with the testbed users (password = name + "-pass"). */
require_once __DIR__ . '/_testbed.php';
$tb = s2s_testbed();

$users = ['exampleauth:UserPass'];
foreach ($tb['users'] as $name => $u) {
    $users[$name . ':' . $u['password']] = $u['attributes'];
}

$config = [
    'admin' => ['core:AdminPassword'],
    'testbed-userpass' => $users,
];
