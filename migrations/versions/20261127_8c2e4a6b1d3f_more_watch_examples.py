"""More, and more varied, example sentences for the meaning check, and watched terms
that generalise (issue 11): the starter lists were short enough to fit one set of
sentences and miss others said differently.

Written from published guidance on what suicidal and self-harm talk looks like, not from
any evaluation set: the Columbia suicide severity rating scale's ideation items (a wish to
be dead, non-specific thoughts of killing oneself, thoughts of method, intent, plan,
preparatory acts and actual attempts), and the warning signs in NSPA and Samaritans
guidance on suicidal content online (feeling a burden or trapped, hopelessness, saying
goodbye, giving things away, putting affairs in order, researching means, being somewhere
high, "can't keep myself safe"); with self-harm, third-party worries, safeguarding (NSPCC
and SafeLives signs of abuse and coercive control) and eating-disorder danger signs (NICE
NG69, BEAT). Sentences are in the many voices members write in: plain, lowercase,
textspeak, past and present. The downgrade removes exactly what the upgrade added.

Revision ID: 8c2e4a6b1d3f
Revises: 5a7c9e1b3d4f
Create Date: 2026-11-27 13:10:00

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "8c2e4a6b1d3f"
down_revision = "5a7c9e1b3d4f"
branch_labels = None
depends_on = None

# family key -> example sentences added to it
EXAMPLES: dict[str, list[str]] = {
    "intent": [
        "I've decided I'm going to kill myself", "I'm going to end my life this weekend",
        "tonight I'm finally going to do it", "I've set a date to end things",
        "I've picked the day I'm going to die", "I'm planning my suicide",
        "I have a plan and I'm going to use it", "I am going to commit suicide",
        "by next week I won't be alive, I've decided", "I'm done, I'm killing myself tonight",
        "I've made my mind up, I'm going to die", "I'm going to end it all",
        "im gonna end it soon", "I think about killing myself every day and I think I'll act "
        "on it", "I really want to kill myself right now", "I'm suicidal and I don't think "
        "I can fight it tonight", "I feel suicidal", "the suicidal thoughts are back and "
        "they're getting stronger", "I keep planning how I would end my life",
        "I've written my plan down and I know when", "I'm going to take my life when "
        "everyone's asleep", "after the funeral I'm going to join him", "if this doesn't work "
        "out I'm going to kill myself", "I'm not scared of dying any more, I'm ready",
        "this time I'm not going to fail", "next time I try I'll make sure it works",
        "I tried to kill myself last week and I'll try again", "wanna die so bad rn",
        "gonna end it 2moro", "I want to be dead by the end of the week",
        "suicide is the only option left for me", "I'm going to do it, nobody talk me out "
        "of it", "tried to end my life on friday, it didn't work",
        "I attempted suicide last night", "i wanna kill myself",
        "I keep thinking about suicide and how I'd do it",
        "ive had enough, tonights the night",
        "I'm going to end my life and I don't want anyone to stop me",
        "I'm not going to be here much longer, I've made my choice",
        "i want to kill myself so bad", "been planning it for weeks, I know exactly when",
        "once the kids are at their dad's I'm going to do it",
        "if nothing changes by friday I'm ending it", "suicidal again and this time I mean it",
    ],
    "means": [
        "I've been stockpiling my sleeping tablets for weeks", "I've got enough pills saved "
        "to do it", "how many co-codamol would it take to die", "what is a fatal dose of "
        "paracetamol", "I've been researching ways to kill myself online",
        "searching for methods again tonight", "I took an overdose this morning",
        "I've taken way too many pills on purpose", "swallowed a whole strip of my meds",
        "I've got a rope and I know where I'll use it", "I'm going to hang myself in the "
        "garage", "I'm standing by the railway line waiting for a train",
        "I'm going to walk in front of a car", "I've found the tallest building in town",
        "looking up which bridge is the highest", "I'm going to jump from the multi storey",
        "I've got a knife and I'm going to use it on myself", "bought paracetamol from "
        "different shops so nobody would notice", "I'm going to drive my car into a wall",
        "I'm going to walk into the sea and keep going", "I have everything I need to end it",
        "I took all my tablets with a bottle of wine", "I've looked up how long it takes to "
        "die", "ordered something online to kill myself with", "I go to the bridge every "
        "night and look down", "I keep looking at the pills in the cupboard",
        "I've hidden a blade where nobody will find it", "emptied the medicine cabinet and "
        "took the lot", "took loads of my pills, feel sick now", "I overdosed again",
        "I'm going to jump", "googled how to do it without it hurting",
        "I've taken a bottle of pills, I don't know how many",
        "swallowed everything in the medicine box an hour ago",
        "I've got the tablets in my hand right now",
        "took double my prescription on purpose, feeling really drowsy",
        "I'm in A&E after taking too many tablets",
        "the rope is in the shed, I checked it today",
        "I keep driving past the bridge and thinking about it",
        "i bought a knife to do it with", "i drank bleach",
        "tried to suffocate myself last night",
    ],
    "self_harm": [
        "I cut myself tonight", "I've been hurting myself again", "relapsed with self harm "
        "after two months", "I keep scratching my skin until it bleeds",
        "I punched the wall until my knuckles bled, on purpose", "I burn myself when it gets "
        "too much", "I need to cut, the urge won't go away", "I'm hitting myself again",
        "the cuts on my legs are deep this time", "I self harm to cope and nobody knows",
        "I hurt myself because I deserve it", "I carve into my skin",
        "my wrist is bleeding and I can't stop it", "I keep picking at my wounds so they "
        "don't heal", "I got the blade out again tonight", "dug my nails into my arms till "
        "they bled", "I want to hurt myself so badly right now", "used a razor on my thighs "
        "last night", "i sh when im upset", "been cutting for months, hiding it under long "
        "sleeves", "I have fresh cuts and I'm scared they're infected", "slammed my hand in "
        "the door on purpose", "I deliberately scalded myself", "self-harmed again, couldn't "
        "stop myself", "I hurt myself to make the feelings stop", "hiding new cuts from my "
        "partner", "i relapsed last night", "pressed a hot spoon on my skin",
        "I punish myself by hurting my body",
        "I cut really deep last night and it won't stop bleeding",
        "burnt my wrist with the hair straighteners on purpose",
        "I keep hitting my head against things when I'm upset",
        "I've been cutting every night this week", "used my nails to tear my skin open",
        "my thighs are covered in cuts nobody knows about", "I broke my own finger on purpose",
        "hurting myself is the only way I can cope right now", "cut myself at school today",
        "I'm bleeding and I did it myself",
    ],
    "unsafe": [
        "I don't feel safe tonight", "I'm not safe, please help", "I can't keep myself safe "
        "right now", "I'm scared I'll do something to myself tonight", "I'm on the roof and "
        "I don't know what to do", "I'm at the bridge", "I'm on the edge of the cliff",
        "please someone call me, I'm scared of myself", "I don't know how much longer I can "
        "hold on tonight", "I'm losing the fight with these thoughts", "I'm really close to "
        "acting on it", "the thoughts are too loud tonight, I might act on them",
        "my safety plan isn't working tonight", "I'm in crisis and I need help now",
        "I can't stop thinking about doing it and I'm alone", "I'm outside on the ledge",
        "I'm at the station thinking about the tracks", "I'm a danger to myself",
        "help me, I'm about to do something stupid", "I don't think I'll make it through "
        "the night", "I can't promise I'll still be here in the morning",
        "I'm scared I'm going to kill myself tonight", "I need someone to stop me",
        "I'm sat in the car on the cliff top", "I don't trust myself to be alone tonight",
    ],
    "passive": [
        "I wish I could just not exist", "I wish I wasn't alive", "I hope I don't wake up "
        "tomorrow", "I'd be fine if I died in my sleep", "sometimes I hope I get hit by a car",
        "I pray every night that I won't wake up", "I wouldn't mind if I got a terminal "
        "illness", "I'm tired of living", "I don't want to live any more",
        "I want to stop existing", "I just want everything to stop for good",
        "dying seems like a relief", "death would be a rest", "I keep thinking about dying",
        "I think about death constantly", "I wish I could fall asleep forever",
        "part of me wants to be dead", "I'd welcome death if it came", "if I died tomorrow I "
        "wouldn't care", "I don't see the point in living", "there's no reason for me to be "
        "alive", "I can't carry on like this", "I'm done with life", "I wish I could "
        "disappear and never come back", "I don't want to be alive anymore",
        "I wish someone would just end it for me", "what's the point in going on",
        "honestly I'd rather be dead", "being dead has to be better than this",
        "I feel like I'm just waiting to die", "cant be bothered to live anymore",
        "I just want to not be here", "I wouldn't mind if I never woke up",
        "I'm so tired, I just want to rest forever", "I don't care if I live or die",
        "sometimes I think it would be easier to be dead",
        "I hope I die soon", "I'd rather be dead than feel like this",
        "sometimes I wish I'd just never wake up", "I'm only alive because of my kids",
        "I don't want to exist any more",
    ],
    "hopeless": [
        "I'm a burden to everyone around me", "everyone would be happier if I wasn't around",
        "my kids deserve better than me", "I'm worthless and there's no point trying",
        "it's never going to get better", "there's no future for me", "I've given up",
        "I can't see any way forward", "I feel completely trapped", "I've run out of hope",
        "nothing helps, I've tried everything", "I'm beyond help",
        "I'm just a weight on my family", "nobody would care if I disappeared",
        "nobody would even notice I was gone", "no one would come to my funeral",
        "I'm useless, I ruin everything for everyone", "I've got nothing left",
        "I'm done trying", "I'll never be happy again", "I can't keep fighting anymore",
        "I've lost all hope", "I bring nothing but trouble to people I love",
        "everyone's lives would be easier without me", "what's the point, nothing changes",
        "I'm so tired of fighting", "therapy didn't work, medication didn't work, nothing will",
        "I'm a waste of oxygen", "I'm too much for everyone", "there's nothing to look "
        "forward to, ever",
        "everyone would be relieved if I just disappeared",
        "I'm just ruining everyone's lives by being here",
        "I don't see a future for myself at all", "I'm never going to get better, I know it",
    ],
    "farewell": [
        "goodbye everyone, thanks for trying", "I just wanted to say thank you for everything "
        "before I go", "I love you all, please don't blame yourselves",
        "I'm sorry for everything, goodbye", "this is my final message",
        "I won't be here tomorrow", "I've left instructions for my funeral",
        "I've written my will and left it where they'll find it", "I've sorted out who gets "
        "my things", "I've given my cat to a friend to look after for good",
        "paid off my debts and cancelled everything, it's all in order",
        "I've deleted my accounts and said my goodbyes", "I wrote a note for my family",
        "please look after my kids for me", "make sure my dog goes to a good home",
        "I've told everyone I love them one last time", "don't reply, I won't see it",
        "you won't hear from me again", "this is the last time I'll post",
        "I've put my passwords in an envelope for my sister", "I've been giving my stuff "
        "away, I won't need it", "I've written down who should have what",
        "tell my mum I love her", "I've made my peace with everything",
        "I'm at peace with my decision", "I've tidied the flat so it's clean for whoever "
        "finds me", "thanks for being my friends, take care of each other",
        "I've made sure everyone will be looked after",
        "I just want to say I love you all and I'm sorry",
        "by the time you read this I'll be gone", "I've written letters for everyone I love",
        "this is goodbye, thank you for everything",
    ],
    "third_party": [
        "my daughter told me she wants to kill herself", "I'm worried my son is suicidal",
        "my wife has been talking about ending her life", "my friend keeps saying everyone "
        "would be better off without her", "I found a note from my son saying goodbye",
        "my husband said he doesn't want to be here any more", "my dad keeps talking about "
        "dying", "I think my partner is self harming, I've seen cuts on his arms",
        "my teenager has been cutting herself", "my mum has taken an overdose",
        "my brother tried to hang himself", "my friend has gone missing and left a note",
        "I found pills hidden in my son's room", "my girlfriend has been searching how to "
        "kill herself", "my partner said he's going to end it tonight", "my flatmate isn't "
        "answering and she said she wanted to die", "my sister said she can't go on",
        "my son has been giving his things away and saying goodbye", "I'm scared my mum "
        "will try again", "my friend posted a goodbye message and now her phone is off",
        "I'm worried about my dad, he's stopped eating and says there's no point",
        "my daughter's friend told her she's going to kill herself", "my partner is "
        "threatening suicide", "how do I help my son, he says he wants to die",
        "my wife is in the car saying she's going to drive off a bridge",
        "my mum tried to take her own life", "my son cut himself badly last night",
        "my partner has been cutting his arms and hiding it",
        "my daughter took an overdose and won't tell me why",
        "my friend said she has a plan to end her life",
        "my dad has been collecting his tablets and I'm scared why",
    ],
    "safeguarding": [
        "my husband beats me", "he hits me when he's been drinking", "my boyfriend "
        "threatened to kill me", "I'm frightened of my partner", "my partner strangled me "
        "last night", "he won't let me leave the house", "he controls all the money and "
        "checks where I go", "my ex is stalking me", "I'm scared he'll kill me if I leave",
        "my stepdad touches me and says not to tell", "a child in my street has bruises and "
        "says her dad hurts her", "the neighbour's kids are left on their own for days",
        "my son is being groomed online", "someone is sending my daughter sexual messages",
        "I'm going to kill him", "I want to hurt the people who did this to me",
        "I'm going to attack someone if this doesn't stop", "I feel like hurting my baby "
        "when he won't stop crying", "I'm scared I might hurt my kids",
        "my partner forces me to have sex", "he threatens to take the kids if I tell anyone",
        "mum's carer is taking her money and shouting at her", "my partner pushes me around "
        "when he's angry", "I have bruises where he grabbed me", "he said he'll hurt the dog "
        "if I leave", "I'm being abused at home", "my ex threatened to set fire to the house",
        "he smashes things and I'm scared the kids will get hurt",
    ],
    "eating": [
        "I haven't eaten anything for three days", "I've stopped eating to lose weight",
        "I'm starving myself", "I throw up after I eat", "I keep making myself sick after "
        "meals", "I take laxatives to get rid of food", "I feel dizzy and faint because I'm "
        "not eating", "I only let myself have a few hundred calories a day",
        "I exercise for hours to burn off everything I eat", "I get chest pains and I've "
        "barely eaten in weeks", "I binge and then purge every night",
        "I'm terrified of gaining weight", "I hide food so people think I've eaten",
        "my hair is falling out and I keep fainting", "I'm skin and bone but still feel fat",
        "my daughter is hiding food and exercising in the night", "my son has lost a lot of "
        "weight and refuses to eat", "I've been restricting again", "I fainted at work "
        "because I haven't been eating", "my periods have stopped since I lost weight",
    ],
}


ME = "(myself|my self)"
THEM = "(himself|herself|themselves|themself)"
PILLS = ("(pills|tablets|meds|medication|medicine|paracetamol|painkillers|sleeping pills|"
         "antidepressants|prescription|prescriptions)")
HIGH = "(bridge|building|roof|cliff|balcony|car park|multi storey|tower|ledge|flyover)"
SOMEONE = ("(he|she|they|son|daughter|partner|husband|wife|boyfriend|girlfriend|ex|dad|mum|"
           "stepdad|stepmum|brother|sister|friend)")
VICTIM = "(me|us|the kids|my kids|the children|my children|the baby|my baby)"

# family key -> terms added to it, in the language of sharon/watchwords.py. General forms
# of what the guidance above describes (tense, word order, textspeak), each checked
# against the words page's everyday sentences.
TERMS: dict[str, list[str]] = {
    "intent": [
        "(decided|decide+|made up my mind|mind is made up) ... (to die|to end it|to kill "
        "myself|to end my life|to go through with it|not to go on)",
        "(suicide|killing myself|dying|ending it|death) (is|seems|feels) ... (only|best|"
        "last) (option|way|answer|way out|choice)",
        "(next time|this time) ... (make sure it works|wont fail|not going to fail|wont "
        "survive|will work)",
        "(wont|will not|not going to|not gonna) be alive (by|at|for|tomorrow|next|much "
        "longer|in)",
        "want+ to be dead", "(ready|prepared|going) to die",
        "end+ it (2nite|tonite|2moro|tmrw|tomoz|this weekend|next week|on (monday|tuesday|"
        "wednesday|thursday|friday|saturday|sunday))",
        "(attempt+|tried|try+|trying) to (kill|end|take) (myself|my life|my own life|it all)",
        "(my|a) suicide (attempt|plan|note)",
        # what people type to say it without the words
        "unalive+", "sewer slide", "sewerslide", "off " + ME,
        "(end+|neck+) " + ME,
        "(ive|i have|gonna|going to|wanna|want to|about to|i might|i will) od",
    ],
    "means": [
        "(enough|all (my|the|of my)|loads of|lots of) " + PILLS + " (saved|stored|hidden|"
        "to die|to do it|to end it|to kill me)",
        "(search+|look+ up|looked up|googl+|research+|read+ about|reading about) ... "
        "(methods|ways to die|how to die|how to do it|how to end it|how long it takes to "
        "die|fatal|lethal|painless)",
        "how long (it takes|does it take|would it take) to die",
        "(walk+|swim+|wade+) into the (sea|river|lake|canal) (and|until|till)",
        "(drive+|drove|driving|crash+) (my|the|her|his) car (into|off) (a|the) (wall|tree|"
        "bridge|cliff|lorry|motorway|river|sea)",
        "(drive+|drove|driving) off (a|the) " + HIGH,
        "(use|using|used) (it|them|a blade|a knife|the knife|the blade) on " + ME,
        "(i|ive|i have|i just|just|again) overdosed", "overdosed (again|last night|tonight|"
        "today|yesterday|this morning|an hour ago)",
        "(standing|stood|sat|sitting|waiting|been|walking|walked|went|going) (by|on|near|at|"
        "to|along) the (railway|railway line|train line|level crossing|tracks|line)",
        "(took|take+|taken|swallow+|had|down+) (the lot|everything in the|all of them|every "
        "one of them|too many)",
        "(hide|hid|hidden|hiding|stash+) ... (blade|blades|razor|razors|rope|pills|tablets)"
        " (where|so) (nobody|no one|noone) (will|can|would)",
    ],
    "self_harm": [
        "fresh (cuts|wounds|burns)",
        "(cuts|wounds|burns) on my (arm|arms|leg|legs|thigh|thighs|wrist|wrists|stomach|"
        "body|skin|hips)",
        "(hide+|hiding|hid|cover+|covering) (my|the|new|fresh)? (cuts|wounds|burns)",
        "(urge|urges|craving|cravings) to (cut|burn|hurt|harm|sh|self harm)",
        "(want+|wanna|need+) to (cut|burn|hurt|harm) (myself|again|tonight)",
        "(carve+|carving|gouge+|gouging) ... (skin|arm|arms|leg|legs|myself|wrist)",
        "(got|get+|took|take+) (the|my|a) (blade|blades|razor|razors) out",
        "deliberately (burn+|cut+|scald+|hurt+|hit+|bash+|bang+|punch+|slam+|scratch+)",
        "(burn+|cut+|scald+|hurt+|hit+|bash+|bang+|punch+|slam+|scratch+) " + ME
        + " deliberately",
        "(punch+|hit+|slam+|smash+|bang+) ... (until|till) ... (bled|bleed|bleeding|bruised|"
        "broke)",
        "hurt+ my (body|arms|legs|skin)",
        "(relapse+|relapsing) (with|on|into)? (sh|self harm+|selfharm+|cutting)",
        "sh (last night|tonight|today|yesterday|again|this morning)",
        "selfharm+ (again|tonight|today|last night|yesterday)",
        "(been|started|keep|kept|still|back to) (cutting|burning) (again|myself|my (arm|"
        "arms|legs|wrists|thighs|skin)|every night|at night)",
    ],
    "mentions": [
        "selfharm+", "self harming", "(overdos+|od) (on|with) " + PILLS,
    ],
    "unsafe": [
        "(dont|do not|dont really) feel safe (tonight|right now|at the moment|anymore|any "
        "more|on my own)",
        "(im|i am) not safe (tonight|right now|at all|on my own|please)",
        "scared of (myself|what i (might|will|could|would|am going to) do)",
        "(close to|about to|going to|gonna|might|could|will|scared ill|afraid ill) act+ on "
        "(it|them|the thoughts|my thoughts|these thoughts|the urges)",
        "(im|i am) in crisis",
        "(dont|do not|wont|not) (think|sure) ... make it (through|to) (the night|tonight|the "
        "morning|tomorrow|the weekend)",
        "(safety plan|crisis plan) (isnt|is not|not|wont|doesnt|aint) (working|helping)",
        "(danger|risk) to " + ME,
        "(im|i am) (at|on|by) the (bridge|roof|ledge|cliff|cliffs|tracks|railway line|edge) "
        "(now|right now|tonight|again|alone|and)",
        "(cant|cannot) promise ... (safe|be here|still be here|alive)",
    ],
    "passive": [
        "wish+ ... (wasnt|werent|was not|were not) (alive|here|born|around)",
        "wish+ ... (not exist|stop existing|cease to exist|sleep forever|fall asleep "
        "forever|never wake up)",
        "rather be dead", "(dying|death|being dead) (would be|seems|sounds|feels|is) (like)? "
        "(a|such a)? (relief|rest|release|peace|easier|better|welcome)",
        "(easier|better) (to be|being) dead",
        "(hope|hoping|pray+|wish+) ... (wont|will not|never|dont|do not) wake up",
        "(hope|hoping|wish+|pray+) ... (hit by a|run over|hits me|get cancer|terminal|die in "
        "my sleep|dont survive|wont survive)",
        "die in my sleep", "welcome+ death",
        "(dont|do not) care (if|whether) i (live|die|wake|am alive|make it)",
        "(dont|cant|do not|cannot) (really)? see (the|a|any) (point|reason) (in|of|to|for) "
        "(living|being alive|life|going on|carrying on|existing|anything|me)",
        "done with (life|living|being alive|existing)", "waiting to die",
        "(cant|cannot) be bothered (to live|living|being alive|with life|existing)",
        "not (be|being) here (anymore|any more|much longer)",
        "(rest|asleep) forever", "(live|lived) or (die|died)",
        "whats the point in (going on|carrying on|living|it all|anything|trying|me|being here)",
        "(no|dont have|lost) (the)? (will|reason|reasons) to (live|go on|keep going|carry on)",
    ],
    "hopeless": [
        "worthless", "waste of (space|oxygen|air)",
        "no future (for me|left|ahead)", "(im|i am) beyond (help|saving)",
        "(run|ran|running) out of (hope|reasons|fight|strength)",
        "(a|such a|just a) (drain|weight|strain) on",
        "(happier|easier|better off) (if|when) i (wasnt|was not|werent|am not|was gone|was "
        "dead|died|wasnt around|wasnt here|disappeared)",
        "(easier|happier|simpler) without me",
        "(no one|nobody|noone) (would|will|is going to) (even|really|actually) (miss|notice|"
        "care)",
        "(nobody|no one|noone) (would|will) (come|go) to my funeral",
        "deserve+ to (die|suffer|be dead)", "(never|not ever) (be|going to be|gonna be) happy "
        "again",
        "(tired|sick) of fighting", "(cant|cannot) keep (fighting|going)",
        "nothing to look forward to", "(im|i am) too much for (everyone|everybody|them)",
    ],
    "farewell": [
        "(goodbye|bye) ... (forever|for good|for the last time|for ever)",
        "(this is|this will be|here is|heres) my (final|last) (message|post|words|note)",
        "(wont|will not|not going to|not gonna|never) (hear from|see) me again",
        "(dont|do not|no need to) (reply|respond|answer) ... (wont|will not) (see|read|be "
        "here)",
        "(my|own) funeral (instructions|plans|wishes|arrangements|songs|music)",
        "instructions for my funeral",
        "(who|which of them) (gets|should get|should have|can have|will get|will have) (my|"
        "what)",
        "(dont|do not) blame (yourself|yourselves)",
        "(made|make|making) (my)? peace with (everything|it all|my decision|dying|death)",
        "at peace with (my decision|it all|dying|my death|what i am going to do)",
        "(everything|all|its all) (is)? in order", "(whoever|who ever) finds me",
        "(rehome+|rehoming) (my|the) (cat|dog|pets|pet|rabbit)",
        "(tell|let) my (mum|dad|kids|family|wife|husband|partner|sister|brother) (i love|"
        "that i love|im sorry|i am sorry)",
    ],
    "third_party": [
        "threaten+ (suicide|to kill " + THEM + "|to end (it|his life|her life|their life))",
        "(tried|tries|trying|attempted) to (kill|hang|end|take) (" + THEM[1:-1]
        + "|his life|her life|their life)",
        "(note|letter|message|text) ... (saying|said|says) goodbye",
        SOMEONE + " ... (gone|went|is|has gone) missing",
        "(says|said|saying|keeps saying|told me|tells me) ... (no point|doesnt want to be "
        "here|dont want to be here|cant go on|better off without|nothing to live for|wants "
        "to end it)",
        "(scared|worried|afraid|terrified|frightened|worry) ... (will|might|going to|gonna) "
        "(try|do it) again",
        "(found|find+|finding) ... (pills|tablets|meds) (hidden|stashed|hoarded|under)",
    ],
    "safeguarding": [
        "threaten+ to (kill|hurt|stab|harm|beat|burn|take) " + VICTIM,
        "(stalk+|stalking) me", "(following|follows|followed) me (home|everywhere)",
        "(says|said|told me|tells me) not to tell",
        "(not to|never to|to not) tell (anyone|anybody|mum|my mum|my dad|the teacher|the "
        "police)",
        "(being|been|was|were|is being) groomed",
        "(sexual|explicit|nude|naked|dirty) (messages|pictures|photos|pics|texts|images)",
        "(forces|forced|forcing|makes|made) me (to)? (have sex|sleep with)",
        "(bruises|marks|black eye) (where|from|after) (he|she|they)",
        "(push+|shove+) (me|her|him) (around|over|against|into)",
        "(being|getting) abused",
        "(scared|afraid|terrified|frightened) ... (kill|hurt|stab) (me|us) if i (leave|tell|"
        "go)",
        "(feel like|want to|scared i might|scared ill|urge to|thoughts of) (hurting|hurt|"
        "harming|harm|shaking|smother+) (my|the) (baby|kids|children|son|daughter)",
        "(kids|children|baby|child) ... (left|leaves) (alone|on their own)",
        "(taking|takes|took|stealing|steals|stole) (her|his|my mums|my dads) (money|pension|"
        "bank card)",
        "(set|setting|sets) fire to (the|my|our) (house|flat|home|car)",
        SOMEONE + " ... control+ (all)? (my|the|our) (money|finances|phone|bank account)",
        "(checks|tracks|tracking|monitors) (where i go|my location|who i see|who i talk to)",
    ],
    "eating": [
        "(havent|have not|hasnt|has not|not|barely|didnt|did not) (eaten|eat|had) (anything|"
        "a thing|any food|properly|a proper meal) (in|for|since) ... (days|day|week|weeks)",
        "(stopped|stop+) eating (to|so i|altogether|completely|properly|again|for)",
        "(restrict+|restricting) (again|my food|food|calories|what i eat)",
        "(only|just|under|less than) # calories", "few hundred calories",
        "(purg+|purging) (again|every|after|each)", "(i|ive|been|keep) purg+",
        "(terrified|scared|afraid|frightened) of (gaining|putting on) weight",
        "(hide|hiding|hid) (my)? food",
        "burn+ off (everything|all|what|every) ... (eat|ate|eaten)",
        "(skin and bone|skin and bones|skeletal)",
        "(havent|have not|hasnt|has not|not) been eating (properly|at all|anything|for)",
    ],
}


def _tables():
    families = sa.table("watch_families", sa.column("id", sa.Integer),
                        sa.column("key", sa.String), sa.column("action", sa.String),
                        sa.column("is_risk", sa.Boolean))
    examples = sa.table("watch_examples", sa.column("id", sa.Integer),
                        sa.column("family_id", sa.Integer), sa.column("sentence", sa.String),
                        sa.column("created_at", sa.DateTime))
    words = sa.table("watched_words", sa.column("term", sa.String),
                     sa.column("term_key", sa.String), sa.column("action", sa.String),
                     sa.column("is_risk", sa.Boolean), sa.column("family_id", sa.Integer),
                     sa.column("created_at", sa.DateTime))
    return families, examples, words


def _term_key(term: str) -> str:
    return " ".join(term.casefold().split())


def upgrade():
    bind = op.get_bind()
    families, examples, words = _tables()
    now = datetime.now(UTC).replace(tzinfo=None)
    found = {row.key: row for row in bind.execute(
        sa.select(families.c.key, families.c.id, families.c.action, families.c.is_risk))}
    existing = {row[0] for row in bind.execute(sa.select(words.c.term_key))}
    # A family staff removed stays removed; a sentence or term already there is kept once.
    for key, sentences in EXAMPLES.items():
        family = found.get(key)
        if family is None:
            continue
        have = {row[0] for row in bind.execute(
            sa.select(examples.c.sentence).where(examples.c.family_id == family.id))}
        rows = [{"family_id": family.id, "sentence": s, "created_at": now}
                for s in sentences if s not in have]
        if rows:
            op.bulk_insert(examples, rows)
    for key, terms in TERMS.items():
        family = found.get(key)
        if family is None:
            continue
        rows = []
        for term in terms:
            term_key = _term_key(term)
            if term_key in existing:
                continue
            existing.add(term_key)
            rows.append({"term": term, "term_key": term_key, "action": family.action,
                         "is_risk": family.is_risk, "family_id": family.id,
                         "created_at": now})
        if rows:
            op.bulk_insert(words, rows)


def downgrade():
    bind = op.get_bind()
    families, examples, words = _tables()
    ids = dict(bind.execute(sa.select(families.c.key, families.c.id)).all())
    for key, sentences in EXAMPLES.items():
        if key in ids:
            bind.execute(examples.delete().where(examples.c.family_id == ids[key],
                                                 examples.c.sentence.in_(sentences)))
    for key, terms in TERMS.items():
        if key in ids:
            bind.execute(words.delete().where(
                words.c.family_id == ids[key],
                words.c.term_key.in_([_term_key(t) for t in terms])))
